package io.github.browserpool;

import io.github.browserpool.session.DirectorySessionStore;
import io.github.browserpool.session.InMemorySessionStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a pool keeps its keyed sessions' states, so that a session outlives the browser that served it:
 * each key's state is loaded before its lease is handed out, and saved when the lease closes. A state is
 * a JSON string in Playwright's {@code storageState} format ({@code {"cookies":[...],"origins":[...]}},
 * IndexedDB included), so a state opens in Playwright and the other way round.
 *
 * <p>Two stores are built in: {@link #inMemory()} (in the JVM, bounded) and {@link #directory(Path)}
 * (one file per key, surviving a restart). A store of your own (Redis, a database) implements the three
 * methods under this contract:
 *
 * <ul>
 *   <li><b>Concurrency.</b> The methods are called from many threads at once, for different keys. One pool
 *       never calls them concurrently for the same key (a key has one lease at a time), but two pools (or
 *       two JVMs) may share one store, and then the last {@code save} of a key wins. A {@code save} must
 *       replace the state as a whole: a concurrent {@code load} sees the old state or the new one, never a
 *       mix or a part.
 *   <li><b>Failure.</b> A method that cannot do its work throws {@link IOException} (or any unchecked
 *       exception). A failed {@code load} fails the {@code acquire} with a {@link SessionStateException}
 *       naming the key: the pool never starts a fresh session instead, since saving that session would
 *       overwrite the good state. A failed {@code save} is logged at WARN with the key, and the lease still
 *       closes; the stored state is then the previous one. A failed {@code delete} fails {@code
 *       pool.invalidate(key)}.
 *   <li><b>Deadlines.</b> The pool bounds each call by a deadline (the acquire's for {@code load}, the
 *       close's for {@code save}) and abandons a call that does not return in time: the calling thread
 *       goes on, and the store's call may still complete later. A store must therefore tolerate a {@code
 *       save} that lands after the pool gave up on it, and should bound its own I/O (socket timeouts).
 *   <li><b>Content.</b> A store keeps the string it is given and returns it unchanged; it need not parse
 *       it. The pool validates what it loads, and refuses a state over {@link #MAX_STATE_CHARS}.
 * </ul>
 */
public interface SessionStore {
  /**
   * The largest state, in characters of JSON, the pool saves or restores: 32 MiB (33,554,432). A browser
   * keeps at most 10 MB of localStorage per origin, and this leaves room for sizeable IndexedDB states; a
   * larger one (a 100 MiB state) is refused with a {@link SessionStateException} naming the key, and the
   * built-in stores refuse to save it.
   */
  int MAX_STATE_CHARS = 32 * 1024 * 1024;

  /**
   * Returns the state saved for {@code sessionKey}, or empty when none is.
   *
   * @throws IOException when the store cannot be read; the acquire then fails
   */
  Optional<String> load(String sessionKey) throws IOException;

  /**
   * Saves {@code storageStateJson} as the state of {@code sessionKey}, replacing any earlier one as a
   * whole.
   *
   * @throws IOException when the state cannot be saved; the earlier state must then be kept
   */
  void save(String sessionKey, String storageStateJson) throws IOException;

  /**
   * Deletes the state of {@code sessionKey}, if any.
   *
   * @return whether a state was deleted
   * @throws IOException when the store cannot be changed
   */
  boolean delete(String sessionKey) throws IOException;

  /**
   * A store in this JVM's heap, lost when the JVM exits, bounded to 10,000 keys and 256 MiB (268,435,456
   * characters) of states in all. Past either bound, the least
   * recently used keys (loaded or saved) are dropped, the first drop logged at WARN and the later ones at
   * DEBUG: a dropped key's next lease is a new session. Thread-safe; a state over {@link #MAX_STATE_CHARS}
   * is refused.
   */
  static SessionStore inMemory() {
    return new InMemorySessionStore(InMemorySessionStore.DEFAULT_MAX_KEYS, InMemorySessionStore.DEFAULT_MAX_TOTAL_CHARS);
  }

  /**
   * Like {@link #inMemory()}, with explicit bounds.
   *
   * @param maxKeys how many keys are kept, at least 1
   * @param maxTotalChars how many characters of state are kept in all, at least 1; a state longer than this
   *     (or than {@link #MAX_STATE_CHARS}) is refused
   * @throws IllegalArgumentException when a bound is below 1
   */
  static SessionStore inMemory(int maxKeys, long maxTotalChars) {
    return new InMemorySessionStore(maxKeys, maxTotalChars);
  }

  /**
   * A store of one file per key in {@code dir}, which survives a restart and may be shared by several
   * pools and JVMs. The file is named by the SHA-256 of the key ({@code <64 hex digits>.session}, never the
   * key itself), and holds a one-line header with the key (checked on load) followed by the state. A save
   * writes a temporary file in {@code dir} and renames it over the old one atomically, so a crash leaves
   * the old state or the new one. {@code dir} is created with mode 0700 (with its missing parents) and
   * each file with 0600, since a state holds credentials.
   *
   * <p>A directory that exists must belong to this process's user and must not be writable by its group
   * or by others (refused: another user could plant or replace a state); one readable by them is used,
   * with a WARN. Its mode is never changed.
   *
   * @throws IllegalArgumentException when {@code dir} is not a directory, belongs to another user, is
   *     writable by others, or cannot be written by this user; the message says what to do
   * @throws java.io.UncheckedIOException when {@code dir} cannot be created or read
   */
  static SessionStore directory(Path dir) {
    return DirectorySessionStore.open(dir);
  }
}
