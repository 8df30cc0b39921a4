package io.github.browserpool;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** SCAFFOLD (replaced by the session-state branch): where keyed sessions' states are kept. */
public interface SessionStore {
  Optional<String> load(String key) throws IOException;

  void save(String key, String json) throws IOException;

  boolean delete(String key) throws IOException;

  static SessionStore inMemory() {
    ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
    return new SessionStore() {
      @Override
      public Optional<String> load(String key) {
        return Optional.ofNullable(map.get(key));
      }

      @Override
      public void save(String key, String json) {
        map.put(key, json);
      }

      @Override
      public boolean delete(String key) {
        return map.remove(key) != null;
      }

      @Override
      public String toString() {
        return "SessionStore.inMemory()";
      }
    };
  }

  static SessionStore directory(Path dir) {
    throw new UnsupportedOperationException("scaffold");
  }
}
