package io.github.browserpool.chrome;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes stale profile dirs: those whose owning JVM died without cleaning up. */
public final class ProfileSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileSweeper.class);

  private ProfileSweeper() {}

  /**
   * For every {@code <tempRoot>/chromelambda-*} dir whose owner is dead: kills every process whose
   * command line names it (as {@code --user-data-dir}, or crashpad's {@code --database}) and verifies
   * them dead, then deletes the dir.
   * A dir owned by a live JVM, this one included, is never touched, nor is anything not named
   * {@code chromelambda-*}. A missing tempRoot sweeps nothing.
   */
  public static SweepResult sweep(Path tempRoot) {
    Path root;
    try {
      // Real path: Chromium's command lines and this JVM's owner registry name dirs by it.
      root = tempRoot.toAbsolutePath().normalize().toRealPath();
    } catch (IOException e) {
      return new SweepResult(0, 0); // missing: nothing to sweep
    }
    if (!Files.isDirectory(root)) {
      return new SweepResult(0, 0);
    }
    int dirs = 0;
    int processes = 0;
    Instant now = Instant.now();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "chromelambda-*")) {
      for (Path dir : ds) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !OwnerMarker.ownerIsDead(dir, now)) {
          continue;
        }
        processes += killUsers(dir);
        if (!OwnerMarker.ownedHere(dir) && delete(dir)) {
          dirs++;
        }
      }
    } catch (IOException e) {
      LOG.warn("sweep of {} stopped early: {}", root, e.toString());
    }
    return new SweepResult(dirs, processes);
  }

  private static int killUsers(Path dir) {
    String arg = dir.toString(); // crashpad names the dir only inside --database=<dir>/...
    List<Long> users = ProcFs.referencing(arg);
    for (long pid : users) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!ProcFs.referencing(arg).isEmpty() && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return users.size();
  }

  private static boolean delete(Path dir) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        ChromeProcess.deleteTree(dir);
        return true;
      } catch (IOException e) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    LOG.warn("could not delete stale profile dir {}", dir);
    return false;
  }
}
