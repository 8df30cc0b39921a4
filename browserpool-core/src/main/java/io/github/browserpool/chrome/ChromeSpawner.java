package io.github.browserpool.chrome;

import io.github.browserpool.BrowserLaunchException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches one Chromium: makes its profile dir (mode 0700) and owner marker, builds its command line and
 * environment, and starts it on the CDP pipe, directly or under {@code tini -s}. A launch that fails
 * leaves nothing behind. See {@link ChromeProcess#spawn}.
 */
final class ChromeSpawner {
  // Logs as ChromeProcess did before the launch was its own class, so the logger names users set stay valid.
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);
  /** Where the subreaper shim writes the browser's PID, inside the profile dir. */
  static final String PID_FILE = "browserpool-main.pid";
  /** Moves the pipe onto fds 3/4 and execs the browser, so Process.pid() is the browser's PID. */
  static final String PIPE_SHIM = "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>&2";
  /**
   * Runs as the only child of {@code tini -s}: starts the browser on fds 3/4, writes its PID to
   * {@value #PID_FILE}, and after the browser exits stays until tini has no other child (at most 5 min),
   * so that tini, the subreaper, outlives every orphan of the tree and reaps it. Otherwise tini exits
   * with the browser and the orphans still alive go to PID 1, which never reaps them.
   */
  static final String SUBREAPER_SHIM = "exec 3<&0 4>&1 0</dev/null 1>&2\n"
      + "\"$0\" \"$@\" &\n"
      + "b=$!\n"
      + "exec 3<&- 4>&-\n"
      + "echo \"$b\" > " + PID_FILE + "\n"
      + "wait \"$b\"\n"
      + "rc=$?\n"
      + "f=/proc/$PPID/task/$PPID/children\n"
      + "i=0\n"
      + "while [ \"$i\" -lt 6000 ] && [ -e \"$f\" ]; do\n"
      + "  kids=\n"
      + "  read -r kids < \"$f\"\n"
      + "  [ \"$kids\" = \"$$\" ] && break\n"
      + "  sleep 0.05\n"
      + "  i=$((i+1))\n"
      + "done\n"
      + "exit \"$rc\"\n";

  private ChromeSpawner() {}

  static ChromeProcess spawn(LaunchSpec spec) {
    String prefix = "[" + spec.ownerName() + "] ";
    Path exe;
    try {
      // Checked here too: a missing or non-executable file would otherwise only show as a shell exiting 127.
      exe = ChromeExecutable.locate(spec.executable());
    } catch (BrowserLaunchException e) {
      throw new BrowserLaunchException(prefix + e.getMessage(), e);
    }
    Path root = realPathIfExists(spec.tempRoot().toAbsolutePath().normalize());
    Path dir = root.resolve("chromelambda-" + UUID.randomUUID());
    OwnerMarker marker;
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      throw new BrowserLaunchException(prefix + "cannot create a profile dir under tempRoot " + root + " (" + e
          + "). Pass PoolConfig.builder().tempRoot(...) a writable directory.", e);
    }
    try {
      marker = OwnerMarker.claim(dir);
    } catch (IOException e) {
      ProfileDirs.deleteQuietly(prefix, dir);
      throw new BrowserLaunchException(prefix + "cannot write the owner marker in " + dir + " (" + e + ")", e);
    }
    Process process;
    Path tini = spec.subreaper();
    // The shell's own binary, not a launcher script that would stand between the pool and the browser.
    Path binary = ChromeExecutable.launchable(exe);
    try {
      Path tmp = Files.createDirectory(dir.resolve("tmp"));
      Path config = Files.createDirectory(dir.resolve("xdg-config"));
      Path cache = Files.createDirectory(dir.resolve("xdg-cache"));
      List<String> arguments = spec.arguments(dir, ChromeExecutable.isHeadlessShell(exe));
      ProcessBuilder pb = new ProcessBuilder(command(tini, binary, arguments));
      pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(ProfileDirs.STDERR_LOG).toFile()));
      // The working dir is the profile dir, which the relative TMPDIR below is relative to.
      pb.directory(dir.toFile());
      pb.environment().putAll(environment(dir, tmp, config, cache, spec.extraEnv()));
      process = pb.start();
    } catch (IOException e) {
      marker.close();
      ProfileDirs.deleteQuietly(prefix, dir);
      throw new BrowserLaunchException(prefix + "cannot start " + exe + " (" + e + ")", e);
    }
    long mainPid = process.pid();
    Set<Long> wrappers = new LinkedHashSet<>();
    if (tini != null) {
      wrappers.add(process.pid());
      mainPid = awaitMainPid(process, dir, spec.launchTimeout(), wrappers);
    }
    ProcFs.Stat main = ProcFs.stat(mainPid); // read now: the main's identity for the whole close
    long mainStart = main == null || main.state() == 'Z' || main.state() == 'X' ? -1 : main.startTicks();
    ChromeProcess cp = new ChromeProcess(prefix, process, dir, marker, mainPid, mainStart, wrappers);
    LOG.debug("{}spawned {} pid {} with profile {}{}", prefix, binary, mainPid, dir,
        tini == null ? "" : " under " + tini + " -s (pids " + wrappers + ")");
    return cp;
  }

  /** The command line: the shim (under {@code tini -s} when {@code tini} is set), then the executable and its arguments. */
  static List<String> command(Path tini, Path exe, List<String> arguments) {
    List<String> cmd = new ArrayList<>();
    if (tini != null) {
      cmd.addAll(List.of(tini.toString(), "-s", "--", "/bin/sh", "-c", SUBREAPER_SHIM, exe.toString()));
    } else {
      cmd.addAll(List.of("/bin/sh", "-c", PIPE_SHIM, exe.toString()));
    }
    cmd.addAll(arguments);
    return cmd;
  }

  /** What the launch adds to the JVM's environment: private temp and XDG dirs, then {@code extraEnv}, which wins. */
  static Map<String, String> environment(Path dir, Path tmp, Path config, Path cache, Map<String, String> extraEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    // TMPDIR is relative to the working dir (the profile dir): Chromium's singleton socket lives
    // there, and an absolute path under a long tempRoot exceeds the 107-byte limit of socket paths.
    env.put("TMPDIR", dir.relativize(tmp).toString());
    // Crashpad (started even with crash reporting off) then names this dir, so /proc scans find it.
    env.put("XDG_CONFIG_HOME", config.toString());
    env.put("XDG_CACHE_HOME", cache.toString());
    env.putAll(extraEnv);
    return env;
  }

  /**
   * Under the subreaper the browser is tini's grandchild: reads its PID from the file the shim writes
   * (and the shim's PID from tini's children). Falls back to tini's PID if tini exits first or the file
   * does not come within {@code timeout}.
   */
  private static long awaitMainPid(Process tini, Path dir, Duration timeout, Set<Long> wrappers) {
    long until = System.nanoTime() + timeout.toNanos();
    Path file = dir.resolve(PID_FILE);
    while (CloseBudget.isBefore(System.nanoTime(), until)) {
      if (wrappers.size() < 2) {
        List<Long> kids = ProcFs.children(tini.pid());
        if (!kids.isEmpty()) {
          wrappers.add(kids.get(0));
        }
      }
      try {
        String text = Files.readString(file);
        if (text.endsWith("\n")) {
          // The shim wrote it after it forked the browser, so tini's child (the shim) is known by now,
          // unless the kernel has no /proc/PID/task/PID/children (then the shim cannot wait either).
          if (wrappers.size() < 2) {
            wrappers.addAll(ProcFs.children(tini.pid()));
          }
          return Long.parseLong(text.trim());
        }
      } catch (IOException | NumberFormatException e) {
        // not written yet
      }
      if (!tini.isAlive()) {
        break;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return tini.pid();
  }

  /**
   * The real path, so the dir has one name everywhere: on Chromium's command line, in the owner registry
   * and in sweeps, however the tempRoot was spelled (a symlink must not hide a dir this JVM owns).
   */
  private static Path realPathIfExists(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // creating the dir below fails and says why
    }
  }
}
