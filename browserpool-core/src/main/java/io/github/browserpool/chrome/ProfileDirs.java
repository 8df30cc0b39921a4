package io.github.browserpool.chrome;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a profile dir once it exists: the log Chromium writes into it, and deleting it without
 * following a symlink out of it. Used by a browser's close and by the startup sweep.
 */
final class ProfileDirs {
  // Logs as ChromeProcess did before these helpers moved here, so the logger names users set stay valid.
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);
  /** Chromium's own stdout and stderr, inside the profile dir. */
  static final String STDERR_LOG = "chrome-stderr.log";
  private static final int TAIL_LINES = 30;
  private static final int TAIL_BYTES = 8192;
  private static final long RETRY_MS = 20;

  private ProfileDirs() {}

  /** The last {@value #TAIL_LINES} lines of {@link #STDERR_LOG} in {@code dir}, or "" when it cannot be read. */
  static String stderrTail(Path dir) {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve(STDERR_LOG).toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, TAIL_BYTES);
      byte[] buf = new byte[n];
      f.seek(len - n);
      f.readFully(buf);
      String[] lines = new String(buf, StandardCharsets.UTF_8).split("\n");
      int from = Math.max(0, lines.length - TAIL_LINES);
      return String.join("\n", Arrays.copyOfRange(lines, from, lines.length)).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Deletes a dir tree, retrying while a dying process may still write into it; false if it stays. */
  static boolean deleteWithRetries(String prefix, Path dir, long until) {
    while (true) {
      try {
        deleteTree(dir);
        return true;
      } catch (NoSuchFileException e) {
        return !Files.exists(dir);
      } catch (IOException e) {
        if (CloseBudget.isPast(System.nanoTime(), until)) {
          LOG.warn("{}could not delete {}: {}", prefix, dir, e.toString());
          return false;
        }
        try {
          Thread.sleep(RETRY_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  /** Deletes a dir tree once, logging instead of throwing (a launch that failed cleans up with it). */
  static void deleteQuietly(String prefix, Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      LOG.warn("{}could not delete {}: {}", prefix, dir, e.toString());
    }
  }

  /** Deletes a tree without following symlinks out of it. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
