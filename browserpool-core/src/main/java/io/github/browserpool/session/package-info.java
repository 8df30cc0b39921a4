/**
 * Keyed sessions' saved states and the built-in stores. Internal (not exported by the module).
 *
 * <p>What it owns: {@code StorageState} (a validated, immutable Playwright {@code storageState}, parsed
 * and written with Jackson, checked by {@code StateValidator}), {@code InMemorySessionStore} and {@code
 * DirectorySessionStore} (with {@code DirectoryChecks}), which the public {@code SessionStore.inMemory()}
 * and {@code SessionStore.directory(Path)} return.
 *
 * <p>What it may use: of the public root package, {@code SessionStore} (which its stores implement, and
 * its {@code MAX_STATE_CHARS}) and {@code SessionStateException} (the error for a bad state). It knows
 * no browser: the lease contexts in {@code context} collect and restore a state over CDP, the SPI in
 * {@code spi} names the type, and the engine in {@code pool} loads and saves it.
 */
package io.github.browserpool.session;
