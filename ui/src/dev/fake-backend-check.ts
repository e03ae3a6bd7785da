// Compile-time only (no bundle includes it): the fake backend must offer
// exactly the real backend's functions with the same types.
import type * as real from "../backend";
import * as fake from "./fake-backend";

export const fakeMatchesReal: typeof real = fake;
