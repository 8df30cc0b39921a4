package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.pool.FakeLauncher;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The public side of sessions on a pool of fake browsers: the config names its store's kind and never
 * its content, {@code acquire(key, options)} with and without a store, and {@code invalidate} with one.
 */
class SessionPoolApiTest {
  /** A user's store whose toString would show what it holds. */
  static final class ChattyStore implements SessionStore {
    @Override
    public Optional<String> load(String key) {
      return Optional.empty();
    }

    @Override
    public void save(String key, String json) {}

    @Override
    public boolean delete(String key) throws IOException {
      return false;
    }

    @Override
    public String toString() {
      return "ChattyStore{alice=secret-cookie}";
    }
  }

  @Test
  void theConfigShowsTheStoresKindNeverWhatItHolds() {
    assertThat(PoolConfig.builder().build().sessionStore()).isNull();
    assertThat(PoolConfig.builder().build().toString()).doesNotContain("sessionStore");
    PoolConfig chatty = PoolConfig.builder().sessionStore(new ChattyStore()).build();
    assertThat(chatty.toString()).contains("sessionStore=" + ChattyStore.class.getName())
        .doesNotContain("secret-cookie");
    PoolConfig builtIn = PoolConfig.builder().sessionStore(SessionStore.inMemory()).build();
    assertThat(builtIn.toString()).contains("sessionStore=").contains("inMemory");
  }

  @Test
  void withoutAStoreAKeyedLeaseTakesPageOptionsButRefusesAProxyOrAState() {
    try (BrowserPool pool = FakePools.start(PoolConfig.builder().maxBrowsers(1).build(), new FakeLauncher())) {
      LeaseOptions proxy = LeaseOptions.builder().proxy("http://127.0.0.1:3128").build();
      assertThatThrownBy(() -> pool.acquire("alice", proxy)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("acquire(\"alice\", options)").hasMessageContaining("per-lease proxy")
          .hasMessageContaining("sessionStore");
      LeaseOptions state = LeaseOptions.builder().storageState("{\"cookies\":[],\"origins\":[]}").build();
      assertThatThrownBy(() -> pool.acquire("alice", state)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("storageState");
      assertThatThrownBy(() -> pool.acquire("alice", null)).isInstanceOf(NullPointerException.class);
      assertThat(pool.stats().launched()).as("refused before any browser was used").isZero();
      try (BrowserLease lease = pool.acquire("alice", LeaseOptions.builder().locale("de-DE").build())) {
        assertThat(lease.sessionKey()).isEqualTo("alice");
        assertThat(lease.isActive()).isTrue();
      }
    }
  }

  @Test
  void withAStoreAKeyedLeaseWithOptionsIsAContextAndInvalidateDeletesItsState() throws IOException {
    SessionStore store = SessionStore.inMemory();
    try (BrowserPool pool = FakePools.start(PoolConfig.builder().maxBrowsers(1).sessionStore(store).build(),
        new FakeLauncher())) {
      try (BrowserLease lease = pool.acquire("alice", LeaseOptions.builder().locale("de-DE").build())) {
        assertThat(lease.isNewSession()).isTrue();
        assertThat(lease.storageState()).contains("cookies");
      }
      assertThat(store.load("alice")).as("saved on close").isPresent();
      assertThat(pool.invalidate("alice")).isTrue();
      assertThat(store.load("alice")).isEmpty();
      assertThatThrownBy(() -> pool.acquire(" ", LeaseOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionKey");
    }
  }
}
