// Types shared by the extension's scripts, for `tsc --noEmit` with `checkJs` (nothing here ships).

/** What our scripts share in their world: the worker's handle (tests), the content scripts' modules and the host profile. */
interface GhlBridgeGlobal {
  [part: string]: any;
}

// eslint-disable-next-line no-var
declare var ghlBridge: GhlBridgeGlobal;
