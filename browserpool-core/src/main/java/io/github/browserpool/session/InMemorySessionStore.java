package io.github.browserpool.session;

import io.github.browserpool.SessionStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionStore#inMemory()}: states in the heap, bounded in keys and in total characters, the least
 * recently used key (loaded or saved) dropped first. One lock guards the map; it is held for no I/O (the
 * log lines of a drop are written after it).
 */
public final class InMemorySessionStore implements SessionStore {
  /** The default bound in keys: 10,000. */
  public static final int DEFAULT_MAX_KEYS = 10_000;
  /** The default bound in characters of state in all: 256 MiB (about 256 MB of heap for ASCII JSON). */
  public static final long DEFAULT_MAX_TOTAL_CHARS = 256L * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(InMemorySessionStore.class);

  private final int maxKeys;
  private final long maxTotalChars;
  /** In access order: the eldest entry is the least recently used. Guarded by {@code this}. */
  private final LinkedHashMap<String, String> states = new LinkedHashMap<>(16, 0.75f, true);
  /** Guarded by {@code this}. */
  private long totalChars;
  /** Guarded by {@code this}. */
  private long dropped;

  public InMemorySessionStore(int maxKeys, long maxTotalChars) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("SessionStore.inMemory: maxKeys must be at least 1, but was " + maxKeys);
    }
    if (maxTotalChars < 1) {
      throw new IllegalArgumentException("SessionStore.inMemory: maxTotalChars must be at least 1, but was "
          + maxTotalChars);
    }
    this.maxKeys = maxKeys;
    this.maxTotalChars = maxTotalChars;
  }

  @Override
  public synchronized Optional<String> load(String sessionKey) {
    return Optional.ofNullable(states.get(Objects.requireNonNull(sessionKey, "sessionKey")));
  }

  @Override
  public void save(String sessionKey, String storageStateJson) throws IOException {
    Objects.requireNonNull(sessionKey, "sessionKey");
    Objects.requireNonNull(storageStateJson, "storageStateJson");
    int length = storageStateJson.length();
    if (length > MAX_STATE_CHARS || length > maxTotalChars) {
      throw new IOException("the in-memory session store refuses the state of session '" + sessionKey + "': it is "
          + length + " characters, over " + (length > MAX_STATE_CHARS ? "SessionStore.MAX_STATE_CHARS ("
          + MAX_STATE_CHARS + ")" : "the store's whole bound (" + maxTotalChars + ")")
          + "; the stored state, if any, is kept. Keep less in the session (smaller IndexedDB or localStorage)"
          + (length > MAX_STATE_CHARS ? "" : ", or make the store larger with SessionStore.inMemory(maxKeys, maxTotalChars)"));
    }
    List<String> droppedKeys = new ArrayList<>();
    boolean firstDrop;
    long droppedBefore;
    synchronized (this) {
      String old = states.put(sessionKey, storageStateJson);
      totalChars += length - (old == null ? 0 : old.length());
      Iterator<Map.Entry<String, String>> eldest = states.entrySet().iterator();
      while (states.size() > maxKeys || totalChars > maxTotalChars) {
        Map.Entry<String, String> e = eldest.next(); // never the key just saved: it is the youngest
        totalChars -= e.getValue().length();
        droppedKeys.add(e.getKey());
        eldest.remove();
      }
      droppedBefore = dropped;
      dropped += droppedKeys.size();
      firstDrop = droppedBefore == 0 && !droppedKeys.isEmpty();
    }
    for (int i = 0; i < droppedKeys.size(); i++) {
      String key = droppedKeys.get(i);
      if (firstDrop && i == 0) {
        log.warn("[in-memory session store] dropped the state of session '{}', the least recently used, to stay"
            + " within {} keys and {} characters: its next lease starts a new session. Later drops are logged at"
            + " DEBUG; give SessionStore.inMemory(maxKeys, maxTotalChars) larger bounds, or use"
            + " SessionStore.directory(dir), to keep more sessions", key, maxKeys, maxTotalChars);
      } else {
        log.debug("[in-memory session store] dropped the state of session '{}' (drop {}): its next lease starts"
            + " a new session", key, droppedBefore + i + 1);
      }
    }
  }

  @Override
  public boolean delete(String sessionKey) {
    Objects.requireNonNull(sessionKey, "sessionKey");
    synchronized (this) {
      String old = states.remove(sessionKey);
      if (old != null) {
        totalChars -= old.length();
      }
      return old != null;
    }
  }

  /** How many keys are held now. */
  public synchronized int size() {
    return states.size();
  }

  /** How many characters of state are held now. */
  public synchronized long totalChars() {
    return totalChars;
  }

  @Override
  public String toString() {
    return "SessionStore.inMemory(" + maxKeys + " keys, " + maxTotalChars + " chars)";
  }
}
