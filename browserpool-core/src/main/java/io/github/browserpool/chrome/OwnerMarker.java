package io.github.browserpool.chrome;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 *
 * <p>A {@code chromelambda-*} dir without this marker is not ours (other tools use the prefix):
 * {@link ProfileSweeper} never kills a process for it.
 */
final class OwnerMarker implements AutoCloseable {
  static final String LOCK_FILE = ".owner.lock";

  private static final Set<Path> OWNED_HERE = ConcurrentHashMap.newKeySet();
  /** Channels that must never be closed (see {@link #owner}); expected to stay empty. */
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
      ch.write(ByteBuffer.wrap(
          ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
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

  /** Who owns a {@code chromelambda-*} dir, as far as its marker tells. */
  enum Owner {
    /** This JVM: never open its lock file. */
    THIS_JVM,
    /** Another live process holds the lock. */
    ALIVE,
    /** The marker is ours and nobody holds its lock: the owner died. */
    DEAD,
    /** No {@code .owner.lock} at all: not a dir of ours, or a claim that never finished. */
    NONE,
    /** Cannot tell (unreadable, or a marker that is not a regular file): leave it alone. */
    UNKNOWN
  }

  /**
   * Reads the owner of {@code dir} from its marker. Opens the lock file only when the dir is not this
   * JVM's, and only when it is a regular file (a FIFO would block the open, a symlink points elsewhere).
   */
  static Owner owner(Path dir) {
    if (ownedHere(dir)) {
      return Owner.THIS_JVM;
    }
    Path lockFile = dir.resolve(LOCK_FILE);
    try {
      if (!Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
        return Owner.UNKNOWN;
      }
    } catch (NoSuchFileException e) {
      return Owner.NONE;
    } catch (IOException | SecurityException e) {
      return Owner.UNKNOWN;
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | SecurityException e) {
      return Owner.UNKNOWN; // gone since, or cannot tell: leave it alone
    }
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        closeQuietly(ch);
        return Owner.ALIVE;
      }
      lock.release();
      closeQuietly(ch);
      return Owner.DEAD;
    } catch (OverlappingFileLockException e) {
      // This JVM holds it after all. Closing this channel would drop that lock (POSIX), so keep it open
      // and reachable (a collected channel gets closed).
      PARKED.add(ch);
      return Owner.THIS_JVM;
    } catch (IOException e) {
      closeQuietly(ch);
      return Owner.UNKNOWN;
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
