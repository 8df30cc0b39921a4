package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.pool.FakeLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile uses of a pool's session store, on fake browsers whose contexts keep their state in memory:
 * keys that try to leave the store's directory, two pools on one directory, and an oversized state. Each
 * gives a clear error or a fresh session, loses no other key's state and leaves no file behind.
 */
class SessionStoreHostileTest {
  @TempDir Path dir;

  private static String state(String v) {
    return "{\"cookies\":[{\"name\":\"sid\",\"value\":\"" + v + "\",\"domain\":\"app.test\",\"path\":\"/\","
        + "\"expires\":-1,\"httpOnly\":true,\"secure\":false,\"sameSite\":\"Lax\"}],\"origins\":[]}";
  }

  /** The fake context of the lease just acquired (the last one its browser opened). */
  private static FakeLauncher.FakeBrowser.FakeContext lastContext(FakeLauncher launcher) {
    List<FakeLauncher.FakeBrowser.FakeContext> opened = launcher.launched.get(0).opened;
    return opened.get(opened.size() - 1);
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void keysWithDotDotSlashAndNulStayInsideTheDirectoryAndApart() throws IOException {
    Path store = dir.resolve("sessions");
    FakeLauncher launcher = new FakeLauncher();
    List<String> keys = List.of("../../etc/passwd", "a\0b", "a", "/abs", "..", "alice");
    try (BrowserPool pool = FakePools.start(PoolConfig.builder().maxBrowsers(1).maxContextsPerBrowser(8)
        .sessionStore(SessionStore.directory(store)).build(), launcher)) {
      for (String key : keys) {
        try (BrowserLease lease = pool.acquire(key)) {
          assertThat(lease.isNewSession()).isTrue();
          lastContext(launcher).state = state("of-" + key.replace("\0", "NUL"));
        }
      }
      for (String key : keys) {
        try (BrowserLease lease = pool.acquire(key)) {
          assertThat(lease.isNewSession()).as(key).isFalse();
          assertThat(lastContext(launcher).state).as("the state of %s", key)
              .contains("of-" + key.replace("\0", "NUL"));
        }
      }
    }
    assertThat(filesUnder(dir)).as("one file per key, all inside the store's directory")
        .hasSize(keys.size()).allMatch(p -> p.getParent().equals(store));
  }

  @Test
  void twoPoolsOnOneDirectoryShareItsStatesAndTheLastSaveWins() throws IOException {
    Path store = dir.resolve("shared");
    FakeLauncher la = new FakeLauncher();
    FakeLauncher lb = new FakeLauncher();
    try (BrowserPool a = FakePools.start(PoolConfig.builder().poolName("pool-a").maxBrowsers(1)
            .sessionStore(SessionStore.directory(store)).build(), la);
        BrowserPool b = FakePools.start(PoolConfig.builder().poolName("pool-b").maxBrowsers(1)
            .sessionStore(SessionStore.directory(store)).build(), lb)) {
      try (BrowserLease alice = a.acquire("alice"); BrowserLease bob = b.acquire("bob")) {
        lastContext(la).state = state("alice-from-a");
        lastContext(lb).state = state("bob-from-b");
      }
      try (BrowserLease alice = b.acquire("alice")) {
        assertThat(lastContext(lb).state).as("b sees what a saved").contains("alice-from-a");
        lastContext(lb).state = state("alice-from-b");
      }
      try (BrowserLease alice = a.acquire("alice"); BrowserLease bob = a.acquire("bob")) {
        assertThat(la.launched.get(0).opened.get(1).state).contains("alice-from-b");
        assertThat(la.launched.get(0).opened.get(2).state).contains("bob-from-b");
      }
    }
    assertThat(filesUnder(dir)).as("two keys, two files, no temp file left").hasSize(2);
  }

  @Test
  void aStateOverTheLimitIsNotSavedAndTheKeysEarlierStateIsKept() throws IOException {
    SessionStore store = SessionStore.inMemory();
    FakeLauncher launcher = new FakeLauncher();
    try (BrowserPool pool = FakePools.start(PoolConfig.builder().maxBrowsers(1).sessionStore(store).build(),
        launcher)) {
      try (BrowserLease lease = pool.acquire("alice")) {
        lastContext(launcher).state = state("small");
      }
      try (BrowserLease lease = pool.acquire("alice")) {
        lastContext(launcher).state = state("x".repeat(SessionStore.MAX_STATE_CHARS));
      }
      assertThat(store.load("alice")).get().asString().contains("small");
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.isNewSession()).isFalse();
      }
    }
  }
}
