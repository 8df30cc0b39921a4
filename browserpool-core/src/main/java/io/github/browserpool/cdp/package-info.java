/**
 * Speaks the Chrome DevTools Protocol with one browser over its {@code --remote-debugging-pipe} (or over
 * anything that looks like that pipe, such as the Grid's websocket): NUL-framed JSON messages, replies
 * routed by id and events by session id, sessions attached and failed as their pages go, cdt-java-client's
 * typed API carried over a session, and raw relays for the per-lease CDP endpoint.
 *
 * <p>The front of the package is {@link io.github.browserpool.cdp.PipeConnection}, {@link
 * io.github.browserpool.cdp.CdpSession}, {@link io.github.browserpool.cdp.DevToolsServices}, {@link
 * io.github.browserpool.cdp.RawSessionPage} and {@link io.github.browserpool.cdp.RawRoute}. What users
 * see of it lives in the exported root package: the {@code RawPage} interface and the {@code
 * Cdp*Exception} classes. Behind {@code PipeConnection}, one class per job: {@code FrameReader} and {@code FrameWriter}
 * (the framing), {@code PendingCalls} (calls in flight by wire id), {@code MessageRouter} (where each
 * message goes), {@code Commands} (calls that complete a future, and the mapping of failures to the
 * exceptions here), {@code SessionRegistry} (attach, gone, close of sessions), {@code CdtBridge} (cdt's
 * messages with their ids spliced, and call timeouts, next to {@code DevToolsServices}) and {@code
 * RawRoutes} (the relay).
 *
 * <p>What it may use: the JDK, Jackson, cdt-java-client, SLF4J, and from the rest of browserpool only the
 * leaf types of the public root package that users handle: {@code RawPage} (which {@code RawSessionPage}
 * implements) and the exceptions ({@code BrowserPoolException} and the {@code Cdp*Exception} classes).
 * That is on purpose: users catch one unchecked root for every failure browserpool throws, CDP failures
 * included, and the module exports only the root package, so every type a user names must live there.
 * Those types depend on nothing in browserpool but each other. The package knows nothing of pools, leases, processes or
 * endpoints: {@code pool}, {@code endpoint} and {@code grid} use it, never the other way round. A lease's
 * rules reach it only through {@link io.github.browserpool.cdp.CallGuard} and the {@code activity}
 * callback.
 *
 * <p>Rules kept throughout: no I/O while a lock is held, except the write that the pipe's write lock
 * exists for; and no wait without a deadline on the pool's own paths: a close and the pool's own commands
 * wait at most {@link io.github.browserpool.cdp.PipeConnection#POOL_WRITE_WAIT} (or the lock wait given
 * to {@code sendUnlessBusy}) for the pipe. Any other send (an attach, {@code send}, a cdt call) waits for
 * the pipe as long as the write ahead of it takes, which is for ever on a frozen browser's full pipe; an
 * attach then waits at most its timeout for the reply, a cdt call as long as its call timeout allows.
 * Every log line starts with {@code "[" + name + "] "}, the connection's name, which the pool starts
 * with its own name.
 */
package io.github.browserpool.cdp;
