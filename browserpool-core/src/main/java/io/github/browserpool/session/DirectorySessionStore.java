package io.github.browserpool.session;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SessionStore#directory(java.nio.file.Path)}: one file per key, {@code <sha256 of the key>.session},
 * holding a header line {@code {"browserpoolSession":1,"key":"..."}} (the key JSON-escaped, every non-ASCII
 * character as {@code \\uXXXX}) and then the state's JSON. The hash is taken over the key's UTF-16 code
 * units, so every Java string (lone surrogates included) has its own file. A save writes {@code
 * .<hash>.<random>.tmp} (mode 0600 from its creation), forces it to disk and renames it over the file with
 * {@code ATOMIC_MOVE}.
 */
public final class DirectorySessionStore implements SessionStore {
  /** The file name suffix of a state. */
  public static final String SUFFIX = ".session";
  /** The longest key, in characters, this store takes: its header must stay one short line. */
  public static final int MAX_KEY_CHARS = 100_000;

  private static final Logger log = LoggerFactory.getLogger(DirectorySessionStore.class);
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final int HEADER_MAX_BYTES = 6 * MAX_KEY_CHARS + 64;
  /** A temp file older than this is a crashed writer's: removed when a store opens the directory. */
  private static final Duration STALE_TEMP = Duration.ofHours(1);
  private static final ObjectMapper HEADER = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private final Path dir;

  private DirectorySessionStore(Path dir) {
    this.dir = dir;
  }

  /** See {@link SessionStore#directory(Path)}. */
  public static DirectorySessionStore open(Path dir) {
    Objects.requireNonNull(dir, "dir");
    Path abs = dir.toAbsolutePath().normalize();
    try {
      if (!Files.exists(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        if (abs.getParent() != null) {
          Files.createDirectories(abs.getParent());
        }
        try {
          Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          // another store made it meanwhile: checked below like any existing directory
        }
      }
      DirectoryChecks.requireOwnPrivateDirectory(abs);
      removeStaleTemps(abs);
    } catch (IOException e) {
      throw new UncheckedIOException("SessionStore.directory(" + abs + "): cannot create or read the directory ("
          + e + "); give a directory this user may create and write", e);
    }
    return new DirectorySessionStore(abs);
  }

  /** The file that holds {@code sessionKey}'s state (whether or not it exists). */
  public Path fileOf(String sessionKey) {
    return dir.resolve(hash(requireKey(sessionKey)) + SUFFIX);
  }

  @Override
  public Optional<String> load(String sessionKey) throws IOException {
    Path file = fileOf(sessionKey);
    String source = "the state of session '" + sessionKey + "' (file " + file + ")";
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try (ch; InputStream in = Channels.newInputStream(ch)) {
      long size = ch.size();
      String header = readHeader(in, source);
      checkHeader(header, sessionKey, source);
      long stateBytes = size - header.length() - 1;
      // UTF-8 takes at most 3 bytes per UTF-16 char: a file this large holds too many chars, read or not.
      if (stateBytes > 3L * MAX_STATE_CHARS) {
        throw tooLarge(source, "is " + size + " bytes");
      }
      CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
      Reader r = new InputStreamReader(in, utf8);
      StringBuilder out = new StringBuilder((int) Math.min(stateBytes, MAX_STATE_CHARS));
      char[] buf = new char[64 * 1024];
      for (int n; (n = r.read(buf)) >= 0;) {
        if (out.length() + n > MAX_STATE_CHARS) {
          throw tooLarge(source, "holds more than " + MAX_STATE_CHARS + " characters");
        }
        out.append(buf, 0, n);
      }
      String json = out.toString();
      StorageState.parse(json, source); // a bad file is named here, where its path is known
      return Optional.of(json);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new SessionStateException(source + " is not UTF-8 text, so it is not a state. " + StorageState.remedy(), e);
    }
  }

  private static SessionStateException tooLarge(String source, String what) {
    return new SessionStateException(source + " " + what + ", over the limit of " + MAX_STATE_CHARS
        + " characters (SessionStore.MAX_STATE_CHARS); it was not read. " + StorageState.remedy());
  }

  /** The first line, read byte by byte up to its newline (never more than the header's bound). */
  private static String readHeader(InputStream in, String source) throws IOException {
    byte[] line = new byte[1024];
    int n = 0;
    for (int b; (b = in.read()) != '\n';) {
      if (b < 0 || n == HEADER_MAX_BYTES) {
        throw new SessionStateException(source + " is not a browserpool session file: it does not start with a"
            + " header line {\"browserpoolSession\":1,\"key\":...} (" + (b < 0 ? "the file ends first: it is"
            + " truncated or empty" : "no newline in its first " + HEADER_MAX_BYTES + " bytes") + "). "
            + StorageState.remedy());
      }
      if (n == line.length) {
        line = java.util.Arrays.copyOf(line, n * 2);
      }
      line[n++] = (byte) b;
    }
    return new String(line, 0, n, StandardCharsets.US_ASCII);
  }

  private static void checkHeader(String header, String sessionKey, String source) {
    JsonNode h;
    try {
      h = HEADER.readTree(header);
    } catch (IOException e) {
      h = null;
    }
    if (h == null || !h.isObject() || !h.path("browserpoolSession").isInt() || !h.path("key").isTextual()) {
      throw new SessionStateException(source + " is not a browserpool session file: its first line is not"
          + " the header {\"browserpoolSession\":1,\"key\":...}. " + StorageState.remedy());
    }
    if (h.get("browserpoolSession").intValue() != 1) {
      throw new SessionStateException(source + " is of format version " + h.get("browserpoolSession")
          + ", which this browserpool does not read (it reads version 1); use the browserpool that wrote it, or "
          + StorageState.remedy());
    }
    if (!h.get("key").textValue().equals(sessionKey)) {
      throw new SessionStateException(source + " holds the state of another key (its header names a key of "
          + h.get("key").textValue().length() + " characters); it was copied or renamed by hand. Remove the file,"
          + " or call pool.invalidate(key) to start a new session.");
    }
  }

  @Override
  public void save(String sessionKey, String storageStateJson) throws IOException {
    Path file = fileOf(sessionKey);
    Objects.requireNonNull(storageStateJson, "storageStateJson");
    if (storageStateJson.length() > MAX_STATE_CHARS) {
      throw new IOException("refused to save the state of session '" + sessionKey + "' to " + file + ": it is "
          + storageStateJson.length() + " characters, over SessionStore.MAX_STATE_CHARS (" + MAX_STATE_CHARS
          + "); the stored state, if any, is kept. Keep less in the session (smaller IndexedDB or localStorage)");
    }
    Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(FILE_MODE))) {
        Writer w = new java.io.BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8), 64 * 1024);
        w.write(HEADER.writeValueAsString(HEADER.createObjectNode().put("browserpoolSession", 1).put("key", sessionKey)));
        w.write('\n');
        w.write(storageStateJson);
        w.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot rename atomically, so a state could be seen"
            + " half written; put the session store on a local file system", e);
      }
      moved = true;
      forceDirectory();
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  @Override
  public boolean delete(String sessionKey) throws IOException {
    boolean deleted = Files.deleteIfExists(fileOf(sessionKey));
    if (deleted) {
      forceDirectory();
    }
    return deleted;
  }

  /** Makes a rename or delete durable; a file system that cannot sync a directory is left as it is. */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("[session store {}] could not sync the directory: {}", dir, e.toString());
    }
  }

  private static void removeStaleTemps(Path dir) throws IOException {
    Instant before = Instant.now().minus(STALE_TEMP);
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ".*" + SUFFIX + ".*.tmp")) {
      for (Path t : temps) {
        try {
          FileTime m = Files.getLastModifiedTime(t, java.nio.file.LinkOption.NOFOLLOW_LINKS);
          if (m.toInstant().isBefore(before) && Files.deleteIfExists(t)) {
            log.info("[session store {}] removed {}, a save that a crash interrupted (the state before it is kept)",
                dir, t.getFileName());
          }
        } catch (NoSuchFileException gone) {
          // another store removed it
        }
      }
    }
  }

  private static String requireKey(String sessionKey) {
    Objects.requireNonNull(sessionKey, "sessionKey");
    if (sessionKey.length() > MAX_KEY_CHARS) {
      throw new IllegalArgumentException("a session key of " + sessionKey.length() + " characters is longer than"
          + " SessionStore.directory takes (" + MAX_KEY_CHARS + "); use a shorter key, e.g. an account id");
    }
    return sessionKey;
  }

  /** The SHA-256 of the key's UTF-16 code units, in hex: a file name for any key. */
  static String hash(String key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer utf16 = ByteBuffer.allocate(key.length() * 2);
      utf16.asCharBuffer().put(key);
      return HexFormat.of().formatHex(sha.digest(utf16.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The directory the states are in. */
  public Path directory() {
    return dir;
  }

  @Override
  public String toString() {
    return "SessionStore.directory(" + dir + ")";
  }
}
