/**
 * The per-lease CDP endpoint: a WebSocket server on 127.0.0.1 that lets an outside client (Playwright,
 * Puppeteer, raw CDP) drive one lease's browser context, and nothing beyond it, over the browser's pipe.
 *
 * <p>The jobs, one class each: {@link io.github.browserpool.endpoint.EndpointServer} owns the port, the
 * event-loop thread and the tokens ({@code LeaseTokens}); {@code EndpointHandler} serves one connection
 * (the HTTP upgrade, its Origin and Host guards, then the frames); {@code LeaseEndpoint} is one lease's
 * endpoint and what its clients made; {@code CdpRelay} relays one client (its session's life and the
 * ordered queue of its commands); {@code ClientMessages} reads the client's frames and writes the
 * relay's replies; {@code ScopeFilter} judges each command and {@code TargetEvents} each Target event
 * against the lease's scope; {@code WarmPage} serves the lease's prepared page for a client's first new
 * page; {@link io.github.browserpool.endpoint.LeaseScope} is what the endpoint
 * needs of a lease, implemented by {@code pool}.
 *
 * <p>It may use {@code cdp} (the pipe and its raw routes), Netty, Jackson, slf4j and the JDK. It uses
 * no type of the public root package, nor {@code pool}, {@code chrome} or {@code grid}: the engine
 * reaches it only through {@code LeaseScope}, so a lease's state stays the engine's and the endpoint
 * stays a transport.
 */
package io.github.browserpool.endpoint;
