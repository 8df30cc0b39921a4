/**
 * The CDP context layer that every kind of browser the pool speaks CDP to shares (a local Chromium
 * over its pipe, a Grid session over {@code se:cdp}). Internal (not exported by the module).
 *
 * <p>What it owns: {@link io.github.browserpool.context.ContextBrowser}, the base of such a browser;
 * {@code LeaseContexts}, which hands each lease a browser context (isolated, or the default profile for
 * a keyed lease), resets it at release and keeps a keeper page; {@code PreparedContexts}, the contexts
 * and pages prepared in the background for the next anonymous leases; {@code ProxyAuth}, a lease's proxy
 * credentials answered on each of its pages; {@code StateTransfer}, which collects and restores a
 * context's cookies, localStorage and IndexedDB over CDP, with {@code StoragePage} (the page in which it
 * reaches an origin) and {@code StorageScripts}.
 *
 * <p>What it may use: the public root package (config, exceptions), the SPI in {@code spi} (it
 * implements {@code LaunchedBrowser}'s lease contexts), the CDP transport in {@code cdp}, the validated
 * {@code session.StorageState} it restores, and of the
 * engine only {@code Capacity.preparedContexts}: how many contexts a browser prepares is a capacity
 * rule, decided with the others in one place. It knows no kind: {@code local} and {@code grid} extend it.
 */
package io.github.browserpool.context;
