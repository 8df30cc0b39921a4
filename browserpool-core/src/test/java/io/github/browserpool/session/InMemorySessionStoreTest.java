package io.github.browserpool.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.SessionStore;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** SessionStore.inMemory(): load, save, delete, and the bounds in keys and in characters. */
class InMemorySessionStoreTest {
  @Test
  void savesLoadsAndDeletes() throws IOException {
    SessionStore store = SessionStore.inMemory();
    assertThat(store.load("alice")).isEmpty();
    store.save("alice", "{\"cookies\":[]}");
    store.save("bob", "{}");
    assertThat(store.load("alice")).contains("{\"cookies\":[]}");
    store.save("alice", "{\"origins\":[]}");
    assertThat(store.load("alice")).contains("{\"origins\":[]}");
    assertThat(store.delete("alice")).isTrue();
    assertThat(store.delete("alice")).isFalse();
    assertThat(store.load("alice")).isEmpty();
    assertThat(store.load("bob")).contains("{}");
  }

  @Test
  void pastTheKeyBoundTheLeastRecentlyUsedKeyIsDropped() throws IOException {
    InMemorySessionStore store = (InMemorySessionStore) SessionStore.inMemory(3, 1_000);
    store.save("a", "1");
    store.save("b", "2");
    store.save("c", "3");
    assertThat(store.load("a")).contains("1"); // a is used again: b is now the least recently used
    store.save("d", "4");
    assertThat(store.load("b")).isEmpty();
    assertThat(store.load("a")).contains("1");
    assertThat(store.load("c")).contains("3");
    assertThat(store.load("d")).contains("4");
    assertThat(store.size()).isEqualTo(3);
  }

  @Test
  void theDefaultStoreHoldsTenThousandKeysAndDropsTheEldestPastThem() throws IOException {
    InMemorySessionStore store = (InMemorySessionStore) SessionStore.inMemory();
    for (int i = 0; i <= 10_000; i++) {
      store.save("key-" + i, "{}");
    }
    assertThat(store.size()).isEqualTo(10_000);
    assertThat(store.load("key-0")).isEmpty();
    assertThat(store.load("key-1")).contains("{}");
    assertThat(store.load("key-10000")).contains("{}");
  }

  @Test
  void theDefaultStoreHolds256MebiCharactersInAll() throws IOException {
    InMemorySessionStore store = (InMemorySessionStore) SessionStore.inMemory();
    String eightMebi = "x".repeat(8 << 20);
    for (int i = 0; i < 33; i++) {
      store.save("key-" + i, eightMebi); // the same string: no 264 MiB of heap
    }
    assertThat(store.totalChars()).isEqualTo(256L << 20);
    assertThat(store.size()).isEqualTo(32);
    assertThat(store.load("key-0")).isEmpty();
  }

  @Test
  void pastTheCharacterBoundAsManyOldKeysAsNeededAreDropped() throws IOException {
    InMemorySessionStore store = (InMemorySessionStore) SessionStore.inMemory(100, 10);
    store.save("a", "aaa");
    store.save("b", "bbb");
    store.save("c", "ccc");
    assertThat(store.totalChars()).isEqualTo(9);
    store.save("d", "dddddd"); // 15 chars: a and b go
    assertThat(store.load("a")).isEmpty();
    assertThat(store.load("b")).isEmpty();
    assertThat(store.load("c")).contains("ccc");
    assertThat(store.totalChars()).isEqualTo(9);
    store.save("c", "c"); // replacing counts the new length only
    assertThat(store.totalChars()).isEqualTo(7);
    store.delete("d");
    assertThat(store.totalChars()).isEqualTo(1);
  }

  @Test
  void aStateLargerThanTheWholeBoundIsRefusedAndTheOldOneKept() throws IOException {
    SessionStore store = SessionStore.inMemory(10, 5);
    store.save("a", "old");
    assertThatThrownBy(() -> store.save("a", "0123456789")).isInstanceOf(IOException.class)
        .hasMessageContaining("session 'a'").hasMessageContaining("the store's whole bound (5)")
        .hasMessageContaining("SessionStore.inMemory(maxKeys, maxTotalChars)");
    assertThat(store.load("a")).isEqualTo(Optional.of("old"));
  }

  @Test
  void aStateOverTheLimitIsRefused() {
    SessionStore store = SessionStore.inMemory();
    assertThatThrownBy(() -> store.save("a", "x".repeat(SessionStore.MAX_STATE_CHARS + 1)))
        .isInstanceOf(IOException.class).hasMessageContaining("SessionStore.MAX_STATE_CHARS (33554432)");
  }

  @Test
  void badBoundsAreRefused() {
    assertThatThrownBy(() -> SessionStore.inMemory(0, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxKeys must be at least 1, but was 0");
    assertThatThrownBy(() -> SessionStore.inMemory(1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTotalChars must be at least 1, but was 0");
  }
}
