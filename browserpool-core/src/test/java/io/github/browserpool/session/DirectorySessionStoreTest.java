package io.github.browserpool.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SessionStore.directory(dir): the files, their modes, atomic saves, hostile keys and hostile files. */
class DirectorySessionStoreTest {
  private static final String STATE = "{\"cookies\":[{\"name\":\"sid\",\"value\":\"v\",\"domain\":\"a.test\","
      + "\"path\":\"/\",\"expires\":-1,\"httpOnly\":true,\"secure\":false,\"sameSite\":\"Lax\"}],\"origins\":[]}";
  private static final String OTHER = "{\"cookies\":[],\"origins\":[{\"origin\":\"https://b.test\","
      + "\"localStorage\":[{\"name\":\"k\",\"value\":\"v\"}]}]}";

  @TempDir Path tmp;

  @Test
  void createsItsDirectory0700AndEachFile0600NamedByTheKeysHash() throws IOException {
    Path dir = tmp.resolve("a/b/sessions");
    SessionStore store = SessionStore.directory(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(store.load("alice")).isEmpty();
    store.save("alice", STATE);
    assertThat(store.load("alice")).contains(STATE);
    Path file = dir.resolve(DirectorySessionStore.hash("alice") + ".session");
    assertThat(listing(dir)).containsExactly(file.getFileName().toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file)).isEqualTo("{\"browserpoolSession\":1,\"key\":\"alice\"}\n" + STATE)
        .doesNotContain("alice.session");
    store.save("alice", OTHER);
    assertThat(store.load("alice")).contains(OTHER);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(store.delete("alice")).isTrue();
    assertThat(store.delete("alice")).isFalse();
    assertThat(listing(dir)).isEmpty();
  }

  @Test
  void hostileKeysMapToSafeNamesInsideTheDirectoryAndRoundTrip() throws IOException {
    Path dir = tmp.resolve("s");
    SessionStore store = SessionStore.directory(dir);
    List<String> keys = List.of("../escape", "../../etc/passwd", "a/b", "/abs", "nul\0byte", "new\nline", "\"quote\"",
        "ünïcødé 🔑", "\uD800 lone high", "\uDC00 lone low", "\uD800", "\uDC00", ".", "..", " ",
        "k".repeat(DirectorySessionStore.MAX_KEY_CHARS));
    for (int i = 0; i < keys.size(); i++) {
      store.save(keys.get(i), "{\"cookies\":[],\"origins\":[]}" + " ".repeat(i));
    }
    for (int i = 0; i < keys.size(); i++) {
      assertThat(store.load(keys.get(i))).as("key %s", i).contains("{\"cookies\":[],\"origins\":[]}" + " ".repeat(i));
    }
    Set<String> names = listing(dir);
    assertThat(names).hasSize(keys.size()).allMatch(n -> n.matches("[0-9a-f]{64}\\.session"));
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(Files::isRegularFile).allMatch(p -> p.getParent().equals(dir))).isTrue();
    }
    assertThatThrownBy(() -> store.save("k".repeat(DirectorySessionStore.MAX_KEY_CHARS + 1), STATE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than SessionStore.directory takes");
  }

  @Test
  void twoStoresOnOneDirectorySeeEachOthersStates() throws IOException {
    Path dir = tmp.resolve("shared");
    SessionStore one = SessionStore.directory(dir);
    SessionStore two = SessionStore.directory(dir);
    one.save("alice", STATE);
    assertThat(two.load("alice")).contains(STATE);
    two.save("alice", OTHER);
    assertThat(one.load("alice")).contains(OTHER);
    assertThat(one.delete("alice")).isTrue();
    assertThat(two.load("alice")).isEmpty();
  }

  @Test
  void aReaderSeesTheOldStateOrTheNewNeverAPart() throws Exception {
    Path dir = tmp.resolve("atomic");
    SessionStore writer = SessionStore.directory(dir);
    SessionStore reader = SessionStore.directory(dir);
    String big = "{\"cookies\":[],\"origins\":[{\"origin\":\"https://a.test\",\"localStorage\":[{\"name\":\"k\","
        + "\"value\":\"" + "x".repeat(500_000) + "\"}]}]}";
    writer.save("alice", STATE);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Thread t = new Thread(() -> {
      while (!done.get()) {
        try {
          String s = reader.load("alice").orElse("missing");
          seen.add(s.equals(STATE) ? "small" : s.equals(big) ? "big" : "other:" + s.length());
        } catch (Throwable e) {
          failures.add(e);
        }
      }
    });
    t.start();
    for (int i = 0; i < 20; i++) {
      writer.save("alice", i % 2 == 0 ? big : STATE);
    }
    done.set(true);
    t.join(10_000);
    assertThat(failures).isEmpty();
    assertThat(seen).isNotEmpty().allMatch(s -> s.equals("small") || s.equals("big"));
    assertThat(listing(dir)).hasSize(1);
  }

  @Test
  void aCrashBetweenWriteAndRenameLeavesTheOldStateAndTheNextOpenRemovesTheStaleTemp() throws IOException {
    Path dir = tmp.resolve("crash");
    SessionStore store = SessionStore.directory(dir);
    store.save("alice", STATE);
    String name = DirectorySessionStore.hash("alice") + ".session";
    // What a writer killed before its rename leaves: a part of the new state under a temporary name.
    Path stale = dir.resolve("." + name + ".1111.tmp");
    Files.writeString(stale, "{\"browserpoolSession\":1,\"key\":\"alice\"}\n{\"cookies\":[{\"na");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
    Path fresh = dir.resolve("." + name + ".2222.tmp"); // another pool's save under way
    Files.writeString(fresh, "partial");
    assertThat(store.load("alice")).contains(STATE);
    SessionStore reopened = SessionStore.directory(dir);
    assertThat(Files.exists(stale)).isFalse();
    assertThat(Files.exists(fresh)).isTrue();
    assertThat(reopened.load("alice")).contains(STATE);
  }

  @Test
  void aStateOverTheLimitIsNotSavedAndTheOldOneIsKept() throws IOException {
    SessionStore store = SessionStore.directory(tmp.resolve("s"));
    store.save("alice", STATE);
    assertThatThrownBy(() -> store.save("alice", "x".repeat(SessionStore.MAX_STATE_CHARS + 1)))
        .isInstanceOf(IOException.class).hasMessageContaining("session 'alice'")
        .hasMessageContaining("over SessionStore.MAX_STATE_CHARS");
    assertThat(store.load("alice")).contains(STATE);
    assertThat(listing(tmp.resolve("s"))).hasSize(1);
  }

  @Test
  void badFilesAreClearErrorsNamingTheKeyAndTheFile() throws IOException {
    Path dir = tmp.resolve("bad");
    DirectorySessionStore store = (DirectorySessionStore) SessionStore.directory(dir);
    Path file = store.fileOf("alice");
    String header = "{\"browserpoolSession\":1,\"key\":\"alice\"}\n";
    String named = "the state of session 'alice' (file " + file + ")";

    store.save("alice", STATE);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 20));
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("not valid JSON").hasMessageContaining("truncated")
        .hasMessageContaining("pool.invalidate(key)");

    Files.write(file, new byte[0]);
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("truncated or empty");

    Files.writeString(file, "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}\n");
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("is not a browserpool session file");

    Files.writeString(file, header + "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}");
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("a file of another format");

    Files.writeString(file, header.replace("alice", "bob") + STATE);
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("holds the state of another key");

    Files.writeString(file, header.replace(":1,", ":2,") + STATE);
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("format version 2");

    Files.write(file, (header + "{\"cookies\":[],\"origins\":[],\"x\":\"\u00ff").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith(named).hasMessageContaining("not UTF-8");

    assertThat(store.delete("alice")).isTrue();
    assertThat(listing(dir)).isEmpty();
  }

  @Test
  void aHundredMebibyteFileIsRefusedQuicklyWithoutBeingRead() throws IOException {
    Path dir = tmp.resolve("big");
    DirectorySessionStore store = (DirectorySessionStore) SessionStore.directory(dir);
    Path file = store.fileOf("alice");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write("{\"browserpoolSession\":1,\"key\":\"alice\"}\n{\"cookies\":[".getBytes(StandardCharsets.US_ASCII));
      f.setLength(100L * 1024 * 1024); // sparse: its reading would take long, and it is not read
    }
    long began = System.nanoTime();
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageStartingWith("the state of session 'alice' (file " + file + ") is 104857600 bytes")
        .hasMessageContaining("over the limit of 33554432 characters (SessionStore.MAX_STATE_CHARS); it was not read")
        .hasMessageContaining("pool.invalidate(key)");
    assertThat(System.nanoTime() - began).isLessThan(500_000_000L);
  }

  @Test
  void aFileJustOverTheLimitInCharactersIsRefusedWithoutReadingPastIt() throws IOException {
    Path dir = tmp.resolve("over");
    DirectorySessionStore store = (DirectorySessionStore) SessionStore.directory(dir);
    Path file = store.fileOf("alice");
    Files.writeString(file, "{\"browserpoolSession\":1,\"key\":\"alice\"}\n"
        + "x".repeat(SessionStore.MAX_STATE_CHARS + 1));
    assertThatThrownBy(() -> store.load("alice")).isInstanceOf(SessionStateException.class)
        .hasMessageContaining("holds more than 33554432 characters");
  }

  @Test
  void aDirectoryOfAnotherUserIsRefusedAndLeftAsItIs() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("theirs"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Integer me = DirectoryChecks.effectiveUid();
    assertThat(me).isNotNull();
    if (me == 0) {
      Files.setAttribute(dir, "unix:uid", 65534);
    } else {
      dir = Path.of("/"); // root's, and not ours
    }
    Path d = dir;
    assertThatThrownBy(() -> SessionStore.directory(d)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SessionStore.directory(" + d + ")")
        .hasMessageContaining("belongs to another user").hasMessageContaining("Give a directory of this user");
    assertThat(Files.getAttribute(d, "unix:uid")).isNotEqualTo(me);
  }

  @Test
  void aDirectoryOthersCanWriteIsRefusedAndItsModeKept() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThatThrownBy(() -> SessionStore.directory(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writable by its group or by others (mode rwxrwxr-x)")
        .hasMessageContaining("chmod 700");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxrwxr-x");
  }

  @Test
  void aDirectoryOthersCanOnlyReadIsUsedAndItsFilesAre0600() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("readable"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    SessionStore store = SessionStore.directory(dir);
    store.save("alice", STATE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store instanceof DirectorySessionStore d
        ? d.fileOf("alice") : dir))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
  }

  @Test
  void aFileInsteadOfADirectoryIsRefused() throws IOException {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> SessionStore.directory(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exists and is not a directory");
  }

  @Test
  void aDirectoryThisUserCannotWriteIsRefused() throws IOException {
    assumeFalse(Integer.valueOf(0).equals(DirectoryChecks.effectiveUid()), "root may write any directory");
    Path dir = Files.createDirectory(tmp.resolve("ro"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      assertThatThrownBy(() -> SessionStore.directory(dir)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("this user cannot write in the directory (mode r-x------)");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static Set<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
