/**
 * The launcher SPI: what the engine asks of a kind of browser. Internal (not exported by the module).
 *
 * <p>What it owns: {@link io.github.browserpool.spi.BrowserLauncher} (launches browsers for one pool and
 * ends its threads), {@link io.github.browserpool.spi.LaunchedBrowser} (one browser: its id, its lease
 * contexts, its close) with the part of it one lease uses ({@code LeaseContext}) and the raw CDP that
 * a lease's endpoint and raw pages are built on ({@code RawCdp}). What a kind can do is a method here
 * (a default that says "not offered"), never a subclass the engine tests for.
 *
 * <p>What it may use: the public root package (config, close reasons, exceptions, which launchers
 * report in), the CDP transport in {@code cdp} (connections and sessions handed to the engine) and the
 * validated {@code session.StorageState} a lease context restores. It
 * knows neither the engine nor any kind: the engine in {@code pool} calls it; {@code local} and {@code
 * grid} implement it; unit tests pass a fake launcher.
 */
package io.github.browserpool.spi;
