//! Routes, the request-log and auth middleware, and the handlers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::MockConfig;
use crate::error::{ApiError, json_response};
use crate::fault::{self, Fault, Kind};
use crate::log::{REDACTED, RequestLog, RequestRecord};
use crate::models::{self, Catalogue, Paging};
use crate::script::{self, Markers};
use crate::sse::{self, BodyContext};
use crate::time;
use crate::validate::{self, Endpoint};

/// Anthropic's request size cap.
const MAX_BODY: usize = 32 * 1024 * 1024;

pub struct AppState {
    pub config: MockConfig,
    pub log: Arc<RequestLog>,
    pub faults: fault::Counters,
    pub shutdown: CancellationToken,
}

/// Per-request facts the outer middleware establishes for everything inside.
#[derive(Clone)]
struct ReqCtx {
    seq: u64,
    request_id: String,
    body: Bytes,
}

pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/v1/messages", post(messages))
        .route("/v1/messages/count_tokens", post(count_tokens))
        .route("/v1/models", get(list_models))
        .route("/v1/models/{id}", get(get_model))
        .route("/models", get(list_models))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_auth));
    let control = Router::new()
        .route("/_mock/requests", get(requests))
        .route("/_mock/reset", post(reset));
    api.merge(control)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

fn ctx_of(req: &Request) -> Option<ReqCtx> {
    req.extensions().get::<ReqCtx>().cloned()
}

/// Logs the request (body included), gives it its id, and stamps the
/// response with `request-id` and, on `/v1/messages*`, rate-limit headers.
async fn record(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let seq = state.log.next_seq();
    let request_id = format!("req_mock_{seq}");
    let received_at_ms = state.log.elapsed_ms();
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let logged = !path.starts_with("/_mock/");

    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let read = if declared.is_some_and(|n| n > MAX_BODY) {
        Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
        ))
    } else {
        axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|e| ApiError::invalid(format!("request body: could not be read ({e})")))
    };
    let bytes = read.as_ref().cloned().unwrap_or_default();

    if logged {
        let headers: BTreeMap<String, String> =
            parts
                .headers
                .iter()
                .fold(BTreeMap::new(), |mut map, (name, value)| {
                    let value = match name.as_str() {
                        "x-api-key" | "authorization" => REDACTED.to_owned(),
                        _ => String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    };
                    map.entry(name.as_str().to_owned())
                        .and_modify(|v: &mut String| {
                            v.push_str(", ");
                            v.push_str(&value);
                        })
                        .or_insert(value);
                    map
                });
        let body =
            if bytes.is_empty() {
                None
            } else {
                Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&bytes).into_owned())
                }))
            };
        state.log.push(RequestRecord {
            seq,
            method: parts.method.to_string(),
            path: path.clone(),
            query: parts.uri.query().map(str::to_owned),
            received_at_ms,
            headers,
            body,
            status: 0,
            disconnected_at_ms: None,
            parts_written_ms: Vec::new(),
        });
    }

    let mut resp = match read {
        Err(e) => e.respond(&request_id),
        Ok(bytes) => {
            parts.extensions.insert(ReqCtx {
                seq,
                request_id: request_id.clone(),
                body: bytes.clone(),
            });
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    };
    if logged {
        state.log.set_status(seq, resp.status().as_u16());
    }
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(HeaderName::from_static("request-id"), v);
    }
    if path.starts_with("/v1/messages") {
        add_rate_limit_headers(headers);
    }
    resp
}

/// Plausible, constant limits (a fault may already have set some, e.g. a
/// 429's `remaining: 0`; those win).
fn add_rate_limit_headers(headers: &mut HeaderMap) {
    let reset = time::rfc3339_in(60);
    let values: [(&'static str, String); 6] = [
        ("anthropic-ratelimit-requests-limit", "50".to_owned()),
        ("anthropic-ratelimit-requests-remaining", "49".to_owned()),
        ("anthropic-ratelimit-requests-reset", reset.clone()),
        ("anthropic-ratelimit-tokens-limit", "100000".to_owned()),
        ("anthropic-ratelimit-tokens-remaining", "99000".to_owned()),
        ("anthropic-ratelimit-tokens-reset", reset),
    ];
    for (name, value) in values {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name)
            && let Ok(v) = HeaderValue::from_str(&value)
        {
            headers.insert(name, v);
        }
    }
}

fn api_key(headers: &HeaderMap) -> Option<&str> {
    let direct = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    direct
        .filter(|k| !k.is_empty())
        .or(bearer.filter(|k| !k.is_empty()))
}

async fn require_auth(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let authorized = match (api_key(req.headers()), &state.config.api_key) {
        (None, _) => false,
        (Some(given), Some(expected)) => given == expected,
        (Some(_), None) => true,
    };
    if authorized {
        return next.run(req).await;
    }
    let request_id = ctx_of(&req).map(|c| c.request_id).unwrap_or_default();
    ApiError::unauthorized().respond(&request_id)
}

fn require_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers
        .get("anthropic-version")
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if !v.trim().is_empty() => Ok(()),
        _ => Err(ApiError::invalid("anthropic-version: header is required")),
    }
}

/// The fault this request gets, if any: the header wins over a marker in
/// the last user message, which wins over the configured `fallback`;
/// `times=N` is counted here.
fn select_fault(
    state: &AppState,
    ctx: &ReqCtx,
    headers: &HeaderMap,
    fallback: Option<(&'static str, &str)>,
) -> Result<Option<Fault>, ApiError> {
    let from_header = headers
        .get("x-mock-fault")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let from_marker = || {
        serde_json::from_slice::<Value>(&ctx.body)
            .ok()
            .and_then(|body| validate::last_user_text(&body))
            .and_then(|text| Markers::parse(&text).fault)
    };
    let chosen = from_header
        .map(|spec| ("x-mock-fault", spec))
        .or_else(|| from_marker().map(|spec| ("[[fault]]", spec)))
        .or_else(|| fallback.map(|(source, spec)| (source, spec.to_owned())));
    let Some((source, spec)) = chosen else {
        return Ok(None);
    };
    let fault = Fault::parse(&spec).map_err(|e| ApiError::invalid(format!("{source}: {e}")))?;
    let body: &[u8] = if fault.any_body { &[] } else { &ctx.body };
    Ok(state.faults.take(&spec, body, fault.times).then_some(fault))
}

fn catalogue(state: &AppState) -> Catalogue {
    Catalogue {
        shape: state.config.models_shape,
        list: state.config.models_list,
        context: state.config.context_window,
    }
}

fn body_context(state: &AppState, ctx: &ReqCtx) -> BodyContext {
    BodyContext {
        log: state.log.clone(),
        seq: ctx.seq,
        shutdown: state.shutdown.clone(),
    }
}

/// A fault on a response that is not a stream: HTTP kinds replace it,
/// `drop`/`stall` break its body, `error-event` becomes a 529, `no-stream`
/// changes nothing (the reply is a plain body anyway).
fn plain_fault(state: &AppState, ctx: &ReqCtx, fault: Fault, full: &Value) -> Response {
    match fault.kind {
        Kind::Drop | Kind::Stall => sse::broken_json(full, fault, &body_context(state, ctx)),
        Kind::NoStream => json_response(StatusCode::OK, full),
        _ => fault.http_response(&ctx.request_id),
    }
}

fn required_ctx(req_ctx: Option<ReqCtx>) -> ReqCtx {
    // The record middleware wraps every route; this default only guards
    // against the router being assembled differently.
    req_ctx.unwrap_or(ReqCtx {
        seq: 0,
        request_id: "req_mock_0".to_owned(),
        body: Bytes::new(),
    })
}

async fn messages(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    handle_messages(&state, &ctx, req.headers(), Endpoint::Messages)
        .unwrap_or_else(|e| e.respond(&ctx.request_id))
}

async fn count_tokens(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    handle_messages(&state, &ctx, req.headers(), Endpoint::CountTokens)
        .unwrap_or_else(|e| e.respond(&ctx.request_id))
}

fn handle_messages(
    state: &Arc<AppState>,
    ctx: &ReqCtx,
    headers: &HeaderMap,
    endpoint: Endpoint,
) -> Result<Response, ApiError> {
    require_version(headers)?;
    let fault = select_fault(state, ctx, headers, None)?;
    if let Some(f) = &fault
        && !f.is_mid_stream()
    {
        return Ok(f.http_response(&ctx.request_id));
    }
    let body = validate::parse_body(&ctx.body)?;
    if state.config.no_document_blocks
        && let Some(at) = validate::find_block(&body, "document")
    {
        return Err(ApiError::invalid(format!(
            "{at}: Input tag 'document' found using 'type' does not match any of the expected \
             tags: 'text', 'image', 'tool_use', 'tool_result'"
        )));
    }
    if state.config.no_pdf_blocks && validate::has_pdf_document(&body) {
        return Err(ApiError::invalid(
            "This model does not support PDF input. Send the document's text instead.",
        ));
    }
    let req = validate::message_request(&body, endpoint)?;
    let model = catalogue(state)
        .find_chat(&req.model)
        .ok_or_else(|| ApiError::not_found(format!("model: {}", req.model)))?;

    let Some(max_tokens) = req.max_tokens else {
        let counted = json!({"input_tokens": req.input_tokens});
        return Ok(match fault {
            Some(f) => plain_fault(state, ctx, f, &counted),
            None => json_response(StatusCode::OK, &counted),
        });
    };
    if max_tokens > model.max_tokens {
        return Err(ApiError::invalid(format!(
            "max_tokens: {max_tokens} > {}, which is the maximum allowed number of output tokens for {}",
            model.max_tokens, model.id
        )));
    }

    let reply = script::plan(&req, ctx.seq);
    let no_stream = fault.as_ref().is_some_and(|f| f.kind == Kind::NoStream);
    if !req.stream || no_stream {
        let message = reply.message(true);
        return Ok(match fault {
            Some(f) => plain_fault(state, ctx, f, &message),
            None => json_response(StatusCode::OK, &message),
        });
    }
    let rate = headers
        .get("x-mock-tokens-per-sec")
        .and_then(|v| v.to_str().ok())
        .and_then(script::parse_rate)
        .or(Markers::parse(&req.last_user_text).rate)
        .unwrap_or(state.config.tokens_per_sec);
    let delay = (rate > 0.0 && rate.is_finite()).then(|| Duration::from_secs_f64(1.0 / rate));
    Ok(sse::stream_response(
        reply,
        delay,
        fault,
        &body_context(state, ctx),
    ))
}

async fn list_models(
    State(state): State<Arc<AppState>>,
    Query(paging): Query<Paging>,
    req: Request,
) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    let configured = state
        .config
        .models_fault
        .as_deref()
        .map(|spec| ("models fault", spec));
    let result = select_fault(&state, &ctx, req.headers(), configured).and_then(|fault| {
        let list = models::list(catalogue(&state), &paging)?;
        Ok(match fault {
            Some(f) => plain_fault(&state, &ctx, f, &list),
            None => json_response(StatusCode::OK, &list),
        })
    });
    result.unwrap_or_else(|e| e.respond(&ctx.request_id))
}

async fn get_model(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    models::get(catalogue(&state), &id)
        .map(|m| json_response(StatusCode::OK, &m))
        .unwrap_or_else(|e| e.respond(&ctx.request_id))
}

async fn requests(State(state): State<Arc<AppState>>) -> Response {
    let log = serde_json::to_value(state.log.snapshot()).unwrap_or(Value::Array(Vec::new()));
    json_response(StatusCode::OK, &log)
}

async fn reset(State(state): State<Arc<AppState>>) -> Response {
    state.log.clear();
    state.faults.clear();
    json_response(StatusCode::OK, &json!({"ok": true}))
}

async fn not_found(req: Request) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    ApiError::not_found(format!("Not found: {} {}", req.method(), req.uri().path()))
        .respond(&ctx.request_id)
}

async fn method_not_allowed(req: Request) -> Response {
    let ctx = required_ctx(ctx_of(&req));
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        format!(
            "Method {} not allowed on {}",
            req.method(),
            req.uri().path()
        ),
    )
    .respond(&ctx.request_id)
}
