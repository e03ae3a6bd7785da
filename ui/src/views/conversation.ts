// The message pane (#messages): one conversation's messages, oldest first.
//
// - Opens on the newest page; scrolling near the top loads the page before the
//   first message shown (IntersectionObserver on a sentinel), keeping the
//   reading position.
// - A streaming reply is rendered as [finished blocks][tail]; each delta costs
//   O(its size) (see lib/stream.ts), and the view auto-scrolls only while the
//   reader is at the bottom; scrolled up, "Jump to latest" takes them back.
// - Code blocks get a "Copy" button, handled by one delegated listener.
// - The last reply, when nothing is streaming, offers "Regenerate", and
//   "Continue" when it was cut off (stopped, or the app was closed mid-reply).
// - A message with versions (its edits, regenerated replies) shows "2 / 3"
//   with Previous/Next, which switch the branch below it (`select_branch`).
// - A reply that fails shows an error card in place (lib/error-card.ts): its
//   message and the step that fixes it (Open Settings, Retry, a rate limit's
//   countdown and automatic retry, Show context for a prompt over the window).
// - A finished reply has a footer (model, tokens, cost, time to first token,
//   tokens/s: lib/message-facts.ts) and Copy (its Markdown) / Copy text.
// - A user message offers "Edit": an inline editor whose Send makes a new
//   version (`onEdit`); it stays, with the text, until the new version is
//   stored, so a failed send loses nothing.
// - A finished message offers "Delete", confirmed in place: it goes with the
//   replies below it, and the pane shows the branch the conversation is left
//   on (another version of the message, or its parent).
// - A user message's attachments show as chips above its text; a chip opens
//   the preview of what the model received (`onPreviewAttachment`).
// - Links are not handled here: main.ts intercepts every link click in the
//   document and sends allowed URLs to the system browser.

import * as backend from "../backend";
import { el } from "../dom";
import { autoRetryText, errorCard, type CardAction } from "../lib/error-card";
import { backendText, errorText } from "../lib/errors";
import { key, t } from "../lib/i18n";
import { messageFacts } from "../lib/message-facts";
import { StreamingTail, type DeltaLike } from "../lib/stream";
import { isNearBottom } from "../lib/util";
import type { AppError, AttachmentSummary, Conversation, ConversationView, MessageView, RetryMode } from "../types";
import { renderAttachmentList } from "./attachments";

const PAGE_SIZE = 40;
/** How many older pages to walk through at most to reach a search hit. */
const MAX_REVEAL_PAGES = 50;

export interface ConversationPaneOptions {
  /** #messages: the scroll container. */
  messages: HTMLElement;
  /** #conversation-title. */
  title: HTMLElement;
  /** The inline "Stop" control of streaming reply `assistantId` was used. */
  onStop(assistantId: number): void;
  /** "Regenerate" or "Continue" was used on reply `messageId`. */
  onRetry(messageId: number, mode: RetryMode): void;
  /** An edited message was sent: `text` is the new version of `messageId`. */
  onEdit(messageId: number, text: string): void;
  /** Another version was picked; the pane has shown it. */
  onVersionShown(conversation: Conversation): void;
  /** An error card's "Open Settings". */
  onOpenSettings(): void;
  /** An error card's "Show context": the gauge says what a send takes. */
  onShowContext(): void;
  /** The pane now shows conversation `id` (null: a new, unsaved chat). */
  onShown(id: number | null): void;
  /** A sent message's attachment chip was clicked. */
  onPreviewAttachment(attachmentId: number, name: string): void;
  onError(error: AppError): void;
}

interface ActiveStream {
  assistantId: number;
  conversationId: number;
  /** Kept up to date while the pane shows another conversation, and put back when it returns. */
  element: HTMLElement;
  tail: StreamingTail<HTMLElement>;
}


export class ConversationPane {
  private readonly messages: HTMLElement;
  private readonly title: HTMLElement;
  private readonly list: HTMLElement;
  private readonly topSentinel: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly jump: HTMLButtonElement;
  private readonly observer: IntersectionObserver;

  private conversationId: number | null = null;
  private hasMore = false;
  private loadingOlder = false;
  /** Bumped whenever the pane shows something else; stale async results compare it. */
  private gen = 0;
  /** Follow new content: true while the reader is at the bottom. */
  private stick = true;
  private prevScrollTop = 0;
  private scrollQueued = false;
  /** Every reply streaming now, shown or not, by assistant message id. */
  private readonly live = new Map<number, ActiveStream>();
  private pendingUser: HTMLElement | null = null;

  constructor(private readonly options: ConversationPaneOptions) {
    this.messages = options.messages;
    this.title = options.title;
    this.topSentinel = el("div", { className: "sentinel", attrs: { "aria-hidden": "true" } });
    this.list = el("div", { className: "message-list" });
    this.empty = el("div", { className: "empty-state" });
    // Sticky at the bottom of the scroll area, shown while the reader is
    // away from the newest message.
    this.jump = el("button", { className: "jump-latest", attrs: { type: "button" } });
    this.labelOwnControls();
    this.jump.hidden = true;
    this.jump.addEventListener("click", () => {
      this.scrollToBottom();
      this.updateJump();
    });
    this.messages.replaceChildren(this.topSentinel, this.list, this.empty, this.jump);

    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.loadOlder(this.gen);
      },
      { root: this.messages, rootMargin: "600px 0px 0px 0px" },
    );

    this.messages.addEventListener("scroll", () => this.onScroll(), { passive: true });
    // The pane shrinks when the banner shows, the composer grows or the window
    // is resized: a reader at the bottom stays there.
    new ResizeObserver(() => {
      if (this.stick) this.scrollToBottom();
    }).observe(this.messages);
    this.messages.addEventListener("click", (event) => this.onClick(event));
  }

  /** The conversation shown, or null for a new, unsaved chat. */
  get currentId(): number | null {
    return this.conversationId;
  }

  /** Changes whenever the pane starts showing something else. */
  get generation(): number {
    return this.gen;
  }

  /** The reply streaming in the conversation shown, if any. */
  private get stream(): ActiveStream | null {
    for (const s of this.live.values()) {
      if (s.conversationId === this.conversationId && s.element.isConnected) return s;
    }
    return null;
  }

  /** Shows an empty, new chat. */
  showEmpty(): void {
    this.gen++;
    this.reset();
    this.setConversation(null);
    this.setTitle(t("New chat"));
    this.empty.hidden = false;
  }

  /** The pane's own words (the empty chat, "Jump to latest") in the current language. */
  private labelOwnControls(): void {
    this.empty.replaceChildren(
      el("h2", { text: t("How can I help?") }),
      el("p", { text: t("Enter sends, Shift+Enter starts a new line. Ctrl+K searches your history.") }),
    );
    this.jump.textContent = t("↓ Latest");
    this.jump.setAttribute("aria-label", t("Jump to latest"));
    this.jump.title = t("Jump to the newest message");
  }

  /**
   * After a language switch: the pane's words and the conversation shown,
   * rendered again (streams in progress carry on; see `open`).
   */
  relabel(): void {
    this.labelOwnControls();
    if (this.conversationId === null) this.setTitle(t("New chat"));
    else void this.open(this.conversationId);
  }

  setTitle(title: string): void {
    this.title.textContent = title;
    this.title.title = title;
  }

  /**
   * Opens a conversation on its newest page; with `focusMessageId`, loads older
   * pages until that message is shown and scrolls to it. Resolves to the
   * conversation's settings, or null if it failed (reported) or was superseded.
   */
  async open(id: number, focusMessageId?: number): Promise<Conversation | null> {
    const gen = ++this.gen;
    this.messages.setAttribute("aria-busy", "true");
    let view;
    try {
      view = await backend.openConversation(id, null, PAGE_SIZE);
    } catch (err) {
      if (gen === this.gen) {
        this.messages.removeAttribute("aria-busy");
        this.options.onError(err as AppError);
      }
      return null;
    }
    if (gen !== this.gen) return null;
    this.messages.removeAttribute("aria-busy");
    this.showPage(view);
    this.scrollToBottom();
    if (focusMessageId !== undefined) await this.reveal(focusMessageId, gen);
    if (gen === this.gen) this.rearmObserver();
    return view.conversation;
  }

  /** Shows the user's message at once, before the backend has stored it. */
  addPendingUserMessage(text: string, attachments: readonly AttachmentSummary[]): void {
    this.empty.hidden = true;
    this.pendingUser?.remove();
    this.removeRetryActions();
    const pending = renderMessageShell("user", null, "pending");
    if (attachments.length > 0) pending.append(renderAttachmentList(attachments));
    const body = el("div", { className: "message-body plain", text });
    body.hidden = text === "";
    pending.append(body);
    this.pendingUser = pending;
    this.list.append(pending);
    this.scrollToBottom();
  }

  /** Takes the pending user message away again (sending failed before it was stored). */
  removePendingUserMessage(): void {
    this.pendingUser?.remove();
    this.pendingUser = null;
    if (this.list.childElementCount === 0) this.empty.hidden = false;
    this.refreshRetryActions();
  }

  /** Offers Regenerate/Continue again (a retry failed before it started). */
  showRetryActions(): void {
    if (!this.stream) this.refreshRetryActions();
  }

  /**
   * A reply has started: the user's message is final and an empty streaming
   * assistant message follows it (or takes the place of message `replaces`,
   * when a reply is regenerated or continued). If the pane has moved on since
   * `generation` the reply is rendered off screen, to be put in place when its
   * conversation is shown again, and this returns false.
   */
  beginStream(
    generation: number,
    conversationId: number,
    userMessage: MessageView,
    assistantId: number,
    replaces?: number,
  ): boolean {
    const element = renderMessageShell("assistant", assistantId, "streaming");
    const body = el("div", { className: "message-body markdown" });
    const tailEl = el("div", { className: "stream-tail" });
    body.append(tailEl);
    element.append(body, renderStreamingStatus());
    const tail = new StreamingTail<HTMLElement>(tailEl, "", undefined, chunkedBlocks(tailEl));
    this.live.set(assistantId, { assistantId, conversationId, element, tail });
    if (generation !== this.gen) return false;
    this.setConversation(conversationId);
    this.empty.hidden = true;
    this.removeRetryActions();
    let replaced = replaces === undefined ? null : this.findMessage(replaces);
    if (replaced?.classList.contains("user")) {
      // An edit: the old version and what followed it give way to the new one.
      while (replaced.nextElementSibling) replaced.nextElementSibling.remove();
      replaced.replaceWith(renderMessage(userMessage));
      replaced = null;
    } else if (replaced === null) {
      const user = renderMessage(userMessage);
      if (this.pendingUser?.isConnected) this.pendingUser.replaceWith(user);
      else if (!this.findMessage(userMessage.id)) this.list.append(user);
    }
    this.pendingUser = null;
    if (replaced) replaced.replaceWith(element);
    else this.list.append(element);
    this.scrollToBottom();
    return true;
  }

  /** Applies one delta to the streaming reply, if this pane is rendering it. */
  applyDelta(assistantId: number, delta: DeltaLike): void {
    const stream = this.live.get(assistantId);
    if (!stream) return;
    stream.tail.apply(delta);
    if (stream.element.isConnected) this.followIfSticking();
  }

  /**
   * Reply `assistantId` waits for a concurrency slot (`limit` replies are
   * streaming), or got one (`limit` null).
   */
  setQueued(assistantId: number, limit: number | null): void {
    const stream = this.live.get(assistantId);
    const status = stream?.element.querySelector(".message-status.streaming");
    if (!stream || !status) return;
    stream.element.dataset.queued = String(limit !== null);
    status.querySelector(".queued-note")?.remove();
    if (limit !== null) {
      const note =
        limit === 1
          ? t("Queued: another reply is streaming, the most Settings allows at once. This one starts when a slot frees up.")
          : t("Queued: {n} replies are streaming, the most Settings allows at once. This one starts when a slot frees up.", { n: limit });
      status.prepend(el("span", { className: "queued-note", text: note, attrs: { role: "status" } }));
    }
  }

  /**
   * A message reached its final state (finished, failed or stopped): replaces
   * its element, if shown, with the final rendering (once, not per delta).
   */
  finishMessage(message: MessageView): void {
    this.live.delete(message.id);
    const existing = this.findMessage(message.id);
    if (!existing) return;
    existing.replaceWith(renderMessage(message));
    if (!this.stream) this.refreshRetryActions();
    this.followIfSticking();
  }

  /**
   * Shows why reply `messageId` failed, in place, with the step that fixes
   * it. A rate limit counts down and tries again by itself.
   */
  showErrorCard(messageId: number, error: AppError): void {
    const article = this.findMessage(messageId);
    if (!article) return;
    const hasText = (article.querySelector(".message-body")?.textContent ?? "").trim() !== "";
    const card = errorCard(error, hasText);
    const root = el("div", {
      className: "error-card",
      attrs: { role: "alert" },
      dataset: { code: error.code, retryMode: card.retryMode },
    });
    // The service's words: text only.
    root.append(el("p", { className: "error-card-message", text: errorText(error) }));
    if (card.hint) root.append(el("p", { className: "error-card-hint", text: card.hint }));
    const actions = el("div", { className: "error-card-actions" });
    for (const action of card.actions) actions.append(cardButton(action, card.autoRetrySecs !== undefined));
    if (actions.childElementCount > 0) root.append(actions);
    if (error.request_id) root.append(el("p", { className: "error-card-request", text: t("Request ID: {id}", { id: error.request_id }) }));
    article.querySelector(".message-status")?.remove();
    article.querySelector(".error-card")?.remove();
    const tools = article.querySelector(".message-tools");
    if (tools) tools.before(root);
    else article.append(root);
    if (card.autoRetrySecs !== undefined) this.countDown(root, messageId, card.autoRetrySecs);
  }

  /** A rate limit's wait, shown each second; at zero the reply is tried again. */
  private countDown(card: HTMLElement, messageId: number, secs: number): void {
    const line = el("p", { className: "error-card-countdown", attrs: { "aria-live": "polite" } });
    card.append(line);
    const until = Date.now() + secs * 1000;
    const tick = () => {
      if (!card.isConnected) return;
      const left = (until - Date.now()) / 1000;
      line.textContent = autoRetryText(left);
      if (left > 0) {
        setTimeout(tick, Math.min(1000, Math.max(50, left * 1000)));
        return;
      }
      this.retryFromCard(card, messageId);
    };
    tick();
  }

  private retryFromCard(card: HTMLElement, messageId: number): void {
    const mode = card.dataset.retryMode === "continue" ? "continue" : "regenerate";
    card.remove();
    this.removeRetryActions();
    this.options.onRetry(messageId, mode);
  }

  /** Copies the last finished reply's Markdown (Ctrl+Shift+C); false if there is none or copying failed. */
  async copyLastReply(): Promise<boolean> {
    const replies = this.list.querySelectorAll<HTMLElement>(".message.assistant[data-id]:not([data-status='streaming'])");
    const last = replies[replies.length - 1];
    const text = last ? replyText(last, "markdown") : "";
    return text !== "" && (await copyText(text));
  }

  /** Whether message `id` is on show. */
  shows(id: number): boolean {
    return this.findMessage(id) !== null;
  }

  /** Opens the editor on the last message the user sent (Up in an empty composer). */
  editLast(): boolean {
    if (this.stream) return false;
    const mine = this.list.querySelectorAll<HTMLElement>(".message.user[data-id]");
    const last = mine[mine.length - 1];
    if (!last) return false;
    this.startEdit(last);
    return true;
  }

  /** A sent edit did not get stored: its editor takes input again. */
  releaseEditor(): void {
    for (const form of this.list.querySelectorAll<HTMLFormElement>(".edit-form")) setFormBusy(form, false);
  }

  /** Focuses the scroll container, so the keyboard scrolls it. */
  focus(): void {
    this.messages.focus({ preventScroll: true });
  }

  // --- internals -------------------------------------------------------

  private setConversation(id: number | null): void {
    this.conversationId = id;
    this.options.onShown(id);
  }

  private removeRetryActions(): void {
    for (const old of this.list.querySelectorAll(".retry-actions")) old.remove();
  }

  /** Puts Regenerate (and Continue, for a cut-off reply) under the last reply only. */
  private refreshRetryActions(): void {
    this.removeRetryActions();
    const last = this.list.lastElementChild;
    if (!(last instanceof HTMLElement) || !last.classList.contains("assistant") || !last.dataset.id) return;
    const status = last.dataset.status;
    if (status === "streaming" || status === "pending") return;
    const actions = el("div", { className: "retry-actions" });
    const hasText = (last.querySelector(".message-body")?.textContent ?? "").trim() !== "";
    if (status === "interrupted" && hasText) {
      actions.append(retryButton("continue", t("Continue"), t("Carry on the reply from where it stopped")));
    }
    actions.append(retryButton("regenerate", t("Regenerate"), t("Ask for a new reply; this one stays as another version")));
    last.append(actions);
  }

  private startEdit(article: HTMLElement): void {
    const body = article.querySelector<HTMLElement>(".message-body");
    const id = Number(article.dataset.id);
    if (!body || !Number.isFinite(id) || article.querySelector(".edit-form")) {
      article.querySelector<HTMLTextAreaElement>(".edit-input")?.focus();
      return;
    }
    const input = el("textarea", {
      className: "edit-input",
      attrs: { "aria-label": t("Edit your message"), rows: "3" },
    });
    input.value = body.textContent ?? "";
    const cancel = el("button", { className: "edit-cancel", text: t("Cancel"), attrs: { type: "button" } });
    const save = el("button", {
      className: "edit-send primary",
      text: t("Send"),
      attrs: { type: "submit", "aria-label": t("Send edited message") },
    });
    const form = el("form", { className: "edit-form" }, input, el("div", { className: "edit-buttons" }, cancel, save));
    const close = () => {
      form.remove();
      body.hidden = (body.textContent ?? "") === "";
      article.classList.remove("editing");
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (form.dataset.busy === "true" || this.stream) return;
      const text = input.value;
      if (text.trim() === "" && !article.querySelector(".attachment-chip")) return;
      setFormBusy(form, true);
      this.options.onEdit(id, text);
    });
    cancel.addEventListener("click", close);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    body.hidden = true;
    article.classList.add("editing");
    body.after(form);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  /** Asks, in place under the message, whether to delete it and what goes with it. */
  private askDelete(article: HTMLElement, button: HTMLButtonElement): void {
    if (article.querySelector(".delete-confirm")) return;
    const last = this.list.lastElementChild === article;
    const question = last ? t("Delete this message?") : t("Delete this message and the replies after it?");
    const confirm = el(
      "div",
      { className: "delete-confirm", attrs: { role: "group", "aria-label": t("Confirm delete") } },
      el("span", { text: question }),
      el("button", { className: "danger", text: t("Delete"), attrs: { type: "button", "aria-label": t("Yes, delete") }, dataset: { answer: "yes" } }),
      el("button", { text: t("Cancel"), attrs: { type: "button", "aria-label": t("Keep the message") }, dataset: { answer: "no" } }),
    );
    confirm.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      confirm.remove();
      button.focus();
    });
    button.closest(".message-tools")?.after(confirm);
    confirm.querySelector<HTMLButtonElement>("[data-answer=no]")?.focus();
  }

  /** Deletes message `id` and shows the branch the conversation is left on. */
  private deleteMessage(id: number): Promise<void> {
    if (!Number.isFinite(id)) return Promise.resolve();
    return this.changeBranch(() => backend.deleteMessage(id, PAGE_SIZE), () => this.scrollToBottom());
  }

  /** Shows version `id` of a message and keeps it in view. */
  private selectVersion(id: number): Promise<void> {
    if (this.stream) return Promise.resolve();
    return this.changeBranch(
      () => backend.selectBranch(id, PAGE_SIZE),
      () => {
        const shown = this.findMessage(id);
        if (shown) {
          shown.scrollIntoView({ block: "nearest" });
          shown.querySelector<HTMLButtonElement>(".version-nav button:not(:disabled)")?.focus({ preventScroll: true });
        } else {
          this.scrollToBottom();
        }
      },
    );
  }

  /**
   * Shows the page a branch change returns (unless the pane moved on
   * meanwhile), scrolled by `place`.
   */
  private async changeBranch(change: () => Promise<ConversationView>, place: () => void): Promise<void> {
    if (this.conversationId === null) return;
    const gen = ++this.gen;
    let view;
    try {
      view = await change();
    } catch (err) {
      if (gen === this.gen) this.options.onError(err as AppError);
      return;
    }
    if (gen !== this.gen) return;
    this.showPage(view);
    place();
    this.stick = isNearBottom(this.messages);
    this.prevScrollTop = this.messages.scrollTop;
    this.updateJump();
    this.rearmObserver();
    this.options.onVersionShown(view.conversation);
  }

  /** Replaces what the pane shows with a conversation's newest page. */
  private showPage(view: ConversationView): void {
    this.reset();
    this.setConversation(view.conversation.id);
    this.hasMore = view.has_more;
    this.setTitle(view.conversation.title);
    this.empty.hidden = true;
    this.list.append(renderMessages(view.messages));
    // A reply still streaming shows as it is now, not as last checkpointed.
    for (const stream of this.live.values()) {
      if (stream.conversationId === view.conversation.id) this.findMessage(stream.assistantId)?.replaceWith(stream.element);
    }
    this.refreshRetryActions();
  }

  private reset(): void {
    this.observer.unobserve(this.topSentinel);
    this.pendingUser = null;
    this.hasMore = false;
    this.loadingOlder = false;
    this.list.replaceChildren();
    this.stick = true;
    this.jump.hidden = true;
  }

  private findMessage(id: number): HTMLElement | null {
    return this.list.querySelector<HTMLElement>(`.message[data-id="${id}"]`);
  }

  private rearmObserver(): void {
    this.observer.unobserve(this.topSentinel);
    // Observing again delivers a fresh initial entry, so a page too short to
    // scroll still triggers the next load.
    if (this.hasMore) this.observer.observe(this.topSentinel);
  }

  private async loadOlder(gen: number): Promise<void> {
    if (this.loadingOlder || !this.hasMore || this.conversationId === null || gen !== this.gen) return;
    const first = this.list.querySelector<HTMLElement>(".message[data-id]");
    const before = first ? Number(first.dataset.id) : null;
    if (before === null || !Number.isFinite(before)) return;
    this.loadingOlder = true;
    this.messages.setAttribute("aria-busy", "true");
    let view;
    try {
      view = await backend.openConversation(this.conversationId, before, PAGE_SIZE);
    } catch (err) {
      if (gen === this.gen) this.options.onError(err as AppError);
      return;
    } finally {
      if (gen === this.gen) {
        this.loadingOlder = false;
        this.messages.removeAttribute("aria-busy");
      }
    }
    if (gen !== this.gen) return;
    const oldHeight = this.messages.scrollHeight;
    const oldTop = this.messages.scrollTop;
    this.list.prepend(renderMessages(view.messages));
    this.hasMore = view.has_more && view.messages.length > 0;
    // Keep what the reader was looking at in place (scroll anchoring is off in CSS).
    const top = oldTop + (this.messages.scrollHeight - oldHeight);
    this.messages.scrollTop = top;
    this.prevScrollTop = this.messages.scrollTop;
    this.rearmObserver();
  }

  private async reveal(messageId: number, gen: number): Promise<void> {
    for (let pages = 0; gen === this.gen; pages++) {
      const target = this.findMessage(messageId);
      if (target) {
        target.scrollIntoView({ block: "center" });
        this.stick = isNearBottom(this.messages);
        this.prevScrollTop = this.messages.scrollTop;
        this.updateJump();
        target.classList.add("flash");
        setTimeout(() => target.classList.remove("flash"), 2000);
        return;
      }
      if (!this.hasMore || pages >= MAX_REVEAL_PAGES) return;
      await this.loadOlder(gen);
    }
  }

  private onScroll(): void {
    const top = this.messages.scrollTop;
    if (isNearBottom(this.messages)) this.stick = true;
    else if (top < this.prevScrollTop) this.stick = false; // the reader scrolled up
    // Otherwise content grew below while we were following: keep following.
    this.prevScrollTop = top;
    this.updateJump();
  }

  /** "Jump to latest" shows while the reader is scrolled away from the end. */
  private updateJump(): void {
    this.jump.hidden = this.stick || isNearBottom(this.messages, 200);
  }

  private scrollToBottom(): void {
    this.stick = true;
    this.messages.scrollTop = this.messages.scrollHeight;
    this.prevScrollTop = this.messages.scrollTop;
    this.jump.hidden = true;
  }

  /** Scrolls to the bottom once per frame while the reader is there. */
  private followIfSticking(): void {
    if (!this.stick) {
      // New text below a reader who scrolled up: offer the way back.
      if (this.jump.hidden) this.updateJump();
      return;
    }
    if (this.scrollQueued) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      if (this.stick) this.scrollToBottom();
    });
  }

  private onClick(event: MouseEvent): void {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const copy = target.closest<HTMLButtonElement>(".copy-code");
    if (copy) {
      const code = copy.closest(".code-block")?.querySelector("pre");
      if (code) void copyWithFeedback(copy, code.textContent ?? "");
      return;
    }
    const chip = target.closest<HTMLElement>(".message .chip-open")?.closest<HTMLElement>(".attachment-chip");
    const attachmentId = Number(chip?.dataset.attachmentId);
    if (chip && Number.isFinite(attachmentId)) {
      this.options.onPreviewAttachment(attachmentId, chip.querySelector(".chip-name")?.textContent ?? "");
      return;
    }
    const stop = target.closest(".message-stop");
    const stopId = Number(stop?.closest<HTMLElement>(".message")?.dataset.id);
    if (stop && Number.isFinite(stopId)) {
      this.options.onStop(stopId);
      return;
    }
    const cardAction = target.closest<HTMLButtonElement>(".error-card [data-action]");
    const card = cardAction?.closest<HTMLElement>(".error-card");
    const failedId = Number(card?.closest<HTMLElement>(".message")?.dataset.id);
    if (cardAction && card && Number.isFinite(failedId)) {
      const action = cardAction.dataset.action as CardAction;
      if (action === "open_settings") this.options.onOpenSettings();
      else if (action === "show_context") this.options.onShowContext();
      else if (!this.stream) this.retryFromCard(card, failedId);
      return;
    }
    const copyReply = target.closest<HTMLButtonElement>(".copy-message");
    const reply = copyReply?.closest<HTMLElement>(".message");
    if (copyReply && reply) {
      void copyWithFeedback(copyReply, replyText(reply, copyReply.dataset.format));
      return;
    }
    const version = target.closest<HTMLButtonElement>(".version-nav button");
    if (version) {
      const to = Number(version.dataset.target);
      if (Number.isFinite(to)) void this.selectVersion(to);
      return;
    }
    const del = target.closest<HTMLButtonElement>(".delete-message, .delete-confirm [data-answer]");
    const doomed = del?.closest<HTMLElement>(".message");
    if (del && doomed) {
      const answer = del.dataset.answer;
      if (answer === undefined) this.askDelete(doomed, del);
      else {
        del.closest(".delete-confirm")?.remove();
        if (answer === "yes") void this.deleteMessage(Number(doomed.dataset.id));
        else doomed.querySelector<HTMLButtonElement>(".delete-message")?.focus();
      }
      return;
    }
    const edit = target.closest<HTMLButtonElement>(".edit-message");
    const article = edit?.closest<HTMLElement>(".message.user");
    if (article) {
      if (!this.stream) this.startEdit(article);
      return;
    }
    const retry = target.closest<HTMLButtonElement>(".retry");
    const id = Number(retry?.closest<HTMLElement>(".message")?.dataset.id);
    const mode = retry?.dataset.mode;
    if (retry && Number.isFinite(id) && (mode === "regenerate" || mode === "continue")) {
      this.removeRetryActions();
      this.options.onRetry(id, mode);
    }
  }
}

// --- rendering -------------------------------------------------------------

/** A reply's Markdown, for its Copy button (kept off the DOM: no second copy of every text). */
const markdownOf = new WeakMap<Element, string>();

/** What Copy (Markdown) or Copy text (what is shown) takes of a reply. */
function replyText(article: HTMLElement, format: string | undefined): string {
  if (format === "markdown") return markdownOf.get(article) ?? "";
  return (article.querySelector(".message-body") as HTMLElement | null)?.innerText ?? "";
}

function renderMessages(messages: MessageView[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const m of messages) fragment.append(renderMessage(m));
  return fragment;
}

function renderMessageShell(role: "user" | "assistant", id: number | null, status: string): HTMLElement {
  const article = el("article", { className: `message ${role}` });
  if (id !== null) article.dataset.id = String(id);
  article.dataset.status = status;
  // A label rather than hidden text, so the element's text stays the message's.
  article.setAttribute("aria-label", role === "user" ? t("You said") : t("Claude said"));
  return article;
}

/** Renders a message in its current state. Assistant HTML comes sanitized from Rust. */
export function renderMessage(m: MessageView): HTMLElement {
  const article = renderMessageShell(m.role, m.id, m.status);
  if (m.role === "assistant") {
    const body = el("div", { className: "message-body markdown" });
    body.innerHTML = m.html; // sanitized by the backend (ammonia); safe to insert
    body.hidden = m.html.trim() === "";
    decorateCodeBlocks(body);
    article.append(body);
    if (m.model) article.dataset.model = m.model;
  } else {
    const attachments = m.attachments ?? [];
    if (attachments.length > 0) article.append(renderAttachmentList(attachments));
    const body = el("div", { className: "message-body plain", text: m.text });
    body.hidden = m.text === "";
    article.append(body);
  }
  const status = renderStatus(m.status, m.error);
  if (status) article.append(status);
  const tools = el("div", { className: "message-tools" });
  const versions = renderVersions(m);
  if (versions) tools.append(versions);
  if (m.role === "assistant" && m.status !== "streaming") {
    const facts = messageFacts(m);
    if (facts.length > 0) tools.append(el("span", { className: "message-facts", text: facts.join(" · ") }));
    if (m.text.trim() !== "") {
      markdownOf.set(article, m.text);
      tools.append(
        el("button", { className: "copy-message", text: t("Copy"), attrs: { type: "button", "aria-label": t("Copy reply as Markdown") }, dataset: { format: "markdown" } }),
        el("button", { className: "copy-message", text: t("Copy text"), attrs: { type: "button", "aria-label": t("Copy reply as plain text") }, dataset: { format: "plain" } }),
      );
    }
  }
  if (m.role === "user") {
    const title = t("Edit and send again; this version stays");
    tools.append(el("button", { className: "edit-message", text: t("Edit"), attrs: { type: "button", "aria-label": t("Edit message"), title } }));
  }
  if (m.status !== "streaming" && m.id !== null) {
    tools.append(el("button", { className: "delete-message", text: t("Delete"), attrs: { type: "button", "aria-label": t("Delete message") } }));
  }
  if (tools.childElementCount > 0) article.append(tools);
  return article;
}

/** "‹ 2 / 3 ›" for a message with versions; each arrow names the version it shows. */
function renderVersions(m: MessageView): HTMLElement | null {
  const versions = m.versions ?? [];
  const at = versions.indexOf(m.id);
  if (versions.length < 2 || at < 0) return null;
  const arrow = (text: string, label: string, target: number | undefined) => {
    const b = el("button", { className: "version-arrow", text, attrs: { type: "button", "aria-label": label } });
    if (target === undefined) b.disabled = true;
    else b.dataset.target = String(target);
    return b;
  };
  return el(
    "div",
    { className: "version-nav", attrs: { role: "group", "aria-label": t("Versions") } },
    arrow("‹", t("Previous version"), versions[at - 1]),
    el("span", { className: "version-count", text: `${at + 1} / ${versions.length}`, attrs: { "aria-live": "polite" } }),
    arrow("›", t("Next version"), versions[at + 1]),
  );
}

const CARD_LABELS: Record<CardAction, string> = {
  open_settings: key("Open Settings"),
  retry: key("Retry"),
  show_context: key("Show context"),
};

function cardButton(action: CardAction, counting: boolean): HTMLButtonElement {
  const text = action === "retry" && counting ? t("Retry now") : t(CARD_LABELS[action]);
  return el("button", { className: "error-card-action", text, attrs: { type: "button" }, dataset: { action } });
}

function setFormBusy(form: HTMLFormElement, busy: boolean): void {
  form.dataset.busy = String(busy);
  for (const control of form.querySelectorAll<HTMLButtonElement | HTMLTextAreaElement>("button, textarea")) {
    control.disabled = busy;
  }
}

function retryButton(mode: RetryMode, text: string, title: string): HTMLButtonElement {
  return el("button", { className: "retry", text, attrs: { type: "button", title }, dataset: { mode } });
}

function renderStreamingStatus(): HTMLElement {
  const typing = el(
    "span",
    { className: "typing", attrs: { role: "status", "aria-label": t("Claude is replying") } },
    el("span"),
    el("span"),
    el("span"),
  );
  const stop = el("button", { className: "message-stop", text: t("Stop"), attrs: { type: "button" } });
  return el("div", { className: "message-status streaming" }, typing, stop);
}

function renderStatus(status: MessageView["status"], error?: string): HTMLElement | null {
  switch (status) {
    case "streaming":
      return renderStreamingStatus();
    case "interrupted":
      return el("div", { className: "message-status interrupted", text: t("Reply was cut off") });
    case "error":
      // The error text came from the API or the network stack: text only.
      return el("div", {
        className: "message-status error",
        text: error && error.trim() !== "" ? backendText(error) : t("The reply failed."),
      });
    case "complete":
      return null;
  }
}

/** Finished blocks a chunk of a streaming reply holds. */
const CHUNK_BLOCKS = 64;

/**
 * Where a streaming reply's finished blocks go: into chunks of
 * CHUNK_BLOCKS before the tail, each block decorated once as it lands. A
 * frame's layout then visits the chunks and the last one's blocks instead
 * of every block of the answer so far (plain wrappers: margins collapse
 * through them, so the reply looks the same; the finished message is
 * rendered without them).
 */
function chunkedBlocks(tail: HTMLElement): (html: string) => void {
  let chunk: HTMLElement | null = null;
  return (html) => {
    if (!chunk || chunk.childElementCount >= CHUNK_BLOCKS) {
      chunk = el("div", { className: "stream-chunk" });
      tail.before(chunk);
    }
    const last = chunk.lastChild;
    chunk.insertAdjacentHTML("beforeend", html);
    for (let node = last ? last.nextSibling : chunk.firstChild; node; node = node.nextSibling) {
      if (node instanceof Element) decorateCodeBlocks(node);
    }
  };
}

/** Wraps each `pre` under `root` (or `root` itself) in a block with a language label and a Copy button. */
function decorateCodeBlocks(root: Element): void {
  const pres: Element[] = root.tagName === "PRE" ? [root] : Array.from(root.querySelectorAll("pre"));
  for (const pre of pres) {
    if (pre.parentElement?.classList.contains("code-block")) continue;
    const wrapper = el("div", { className: "code-block" });
    const header = el("div", { className: "code-header" });
    const lang = /(?:^|\s)language-([\w#+.-]+)/.exec(pre.querySelector("code")?.className ?? "")?.[1];
    header.append(el("span", { className: "code-lang", text: lang ?? "" }));
    header.append(el("button", { className: "copy-code", text: t("Copy"), attrs: { type: "button", "aria-label": t("Copy code") } }));
    pre.replaceWith(wrapper);
    wrapper.append(header, pre);
  }
}

async function copyWithFeedback(button: HTMLButtonElement, text: string): Promise<void> {
  const label = button.dataset.label ?? button.textContent ?? t("Copy");
  button.dataset.label = label;
  const ok = await copyText(text);
  button.textContent = ok ? t("Copied") : t("Copy failed");
  button.classList.toggle("copied", ok);
  setTimeout(() => {
    button.textContent = label;
    button.classList.remove("copied");
  }, 1500);
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based fallback
  }
  const helper = el("textarea", { className: "clipboard-helper", attrs: { readonly: "", "aria-hidden": "true" } });
  helper.value = text;
  document.body.append(helper);
  helper.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  helper.remove();
  return ok;
}
