package io.github.browserpool.chrome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Marks a profile dir as owned by a live JVM, so that a sweep in any JVM can tell a live owner from a
 * dead one without guessing.
 *
 * <p>The marker is an exclusive lock on {@code <dir>/.owner.lock}, held for the browser's life; the OS
 * drops it when the owning JVM dies, {@code kill -9} included. Because POSIX record locks belong to the
 * process, and closing <em>any</em> descriptor of the file drops them all, a sweep must never open the
 * lock file of a dir this JVM owns: {@link #ownedHere} is the JVM-wide registry checked first. The
 * registry holds real paths, so a dir reached through a symlinked tempRoot is still recognised.
 */
final class OwnerMarker implements AutoCloseable {
  static final String LOCK_FILE = ".owner.lock";
  /** A dir with no lock file yet is stale only once older than this (the gap between mkdir and rename). */
  static final Duration MARKERLESS_GRACE = Duration.ofSeconds(60);

  private static final Set<Path> OWNED_HERE = ConcurrentHashMap.newKeySet();
  /** Channels that must never be closed (see {@link #ownerIsDead}); expected to stay empty. */
  private static final Set<FileChannel> PARKED = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;

  private OwnerMarker(Path dir, FileChannel channel) {
    this.dir = dir;
    this.channel = channel;
  }

  /** Registers {@code dir} as owned by this JVM and locks its marker. */
  static OwnerMarker claim(Path dir) throws IOException {
    dir = key(dir);
    OWNED_HERE.add(dir);
    Path tmp = dir.resolve(LOCK_FILE + ".tmp");
    FileChannel ch = null;
    try {
      // Created and locked under a temporary name, then renamed into place (same inode, so the lock
      // goes with it): a .owner.lock that exists is locked from its first instant, and no sweep in
      // another JVM can catch it unlocked and take its live owner for dead.
      ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw new IOException("could not lock the owner marker of " + dir);
      }
      ch.write(java.nio.ByteBuffer.wrap(
          ("pid " + ProcessHandle.current().pid() + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      Files.move(tmp, dir.resolve(LOCK_FILE), StandardCopyOption.ATOMIC_MOVE);
      return new OwnerMarker(dir, ch);
    } catch (IOException | RuntimeException e) {
      if (ch != null) {
        ch.close();
      }
      Files.deleteIfExists(tmp);
      OWNED_HERE.remove(dir);
      throw e;
    }
  }

  static boolean ownedHere(Path dir) {
    return OWNED_HERE.contains(key(dir));
  }

  /** The registry key: the real path when the dir exists, else the absolute normalized path. */
  private static Path key(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir.toAbsolutePath().normalize();
    }
  }

  /** Whether the owner of {@code dir} (not this JVM's) is dead. Never called for a dir this JVM owns. */
  static boolean ownerIsDead(Path dir, Instant now) {
    if (ownedHere(dir)) {
      return false;
    }
    Path lockFile = dir.resolve(LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return olderThanGrace(dir, now);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
    } catch (IOException e) {
      return false; // gone, or cannot tell: leave it alone
    }
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        closeQuietly(ch);
        return false; // another live process holds it
      }
      lock.release();
      closeQuietly(ch);
      return true;
    } catch (OverlappingFileLockException e) {
      // This JVM holds it after all. Closing this channel would drop that lock (POSIX), so keep it open
      // and reachable (a collected channel gets closed).
      PARKED.add(ch);
      return false;
    } catch (IOException e) {
      closeQuietly(ch);
      return false; // cannot tell: leave it alone
    }
  }

  private static boolean olderThanGrace(Path dir, Instant now) {
    try {
      FileTime t = Files.getLastModifiedTime(dir);
      return t.toInstant().plus(MARKERLESS_GRACE).isBefore(now);
    } catch (IOException e) {
      return false;
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // the lock goes with the descriptor either way
    }
  }

  /** Releases the lock and forgets the dir. Call after the dir is deleted (or given up on). */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the lock goes with the descriptor either way
    } finally {
      OWNED_HERE.remove(dir);
    }
  }
}
