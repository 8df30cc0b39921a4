package io.github.browserpool.chrome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes stale profile dirs under a tempRoot: those whose owning JVM died without cleaning up, and
 * long-abandoned {@code chromelambda-*} dirs that nothing uses.
 *
 * <p>The name prefix is shared with other tools, so a dir without our owner marker is not ours: the
 * sweep never kills a process for it. Processes are killed only for a dir that carries our marker and
 * whose owner is dead, and each one only after its start time is matched again, so a reused PID is never
 * signalled. "Uses a dir" means: a process's command line names the dir's path (Chromium's
 * {@code --user-data-dir=<dir>}, crashpad's {@code --database=<dir>/...}).
 */
public final class ProfileSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(ProfileSweeper.class);

  /**
   * A {@code chromelambda-*} dir without our owner marker that no process uses is deleted only once
   * neither it nor any entry directly in it has changed for this long: it is then the leftover of a
   * crashed older system. One hour: far longer than the gap between creating a dir and marking it, and
   * short enough that a crashed system's leftovers do not pile up.
   */
  public static final Duration MARKERLESS_MAX_AGE = Duration.ofHours(1);

  /** How long the processes of one dead owner's dir get to be verified dead after SIGKILL. */
  private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
  /** Rounds of find, kill and verify for one dir (a process may be found only on a later scan). */
  private static final int KILL_ROUNDS = 3;
  private static final long SELF = ProcessHandle.current().pid();

  private ProfileSweeper() {}

  /**
   * Sweeps the {@code chromelambda-*} dirs directly under {@code tempRoot}, never following a symlink:
   * <ul>
   *   <li>a dir owned by this JVM, by a live owner in another JVM, or by another user, a dir it cannot
   *       read, and anything not named {@code chromelambda-*} or not a directory: never touched;
   *   <li>a dir with our marker whose owner is dead: every process whose command line names it is
   *       SIGKILLed and verified dead (matched by PID and start time), then the dir is deleted;
   *   <li>a dir without our marker: left alone while any process names it (one INFO line says so), and
   *       deleted, with no process killed, once it is unused and older than {@link #MARKERLESS_MAX_AGE}.
   * </ul>
   * A missing tempRoot sweeps nothing. Never throws: a sweep that cannot go on logs a WARN and stops.
   */
  public static SweepResult sweep(Path tempRoot) {
    return sweep(tempRoot, "browserpool");
  }

  /** Like {@link #sweep(Path)}, with {@code ownerName} starting every log line. */
  public static SweepResult sweep(Path tempRoot, String ownerName) {
    return sweep(tempRoot, ownerName, MARKERLESS_MAX_AGE);
  }

  /** Like {@link #sweep(Path, String)} with another age threshold for markerless dirs; for tests. */
  static SweepResult sweep(Path tempRoot, String ownerName, Duration markerlessMaxAge) {
    String prefix = "[" + ownerName + "] ";
    Path given = tempRoot.toAbsolutePath().normalize();
    Path root;
    try {
      // Real path: Chromium's command lines and this JVM's owner registry name dirs by it.
      root = given.toRealPath();
    } catch (IOException | SecurityException e) {
      return new SweepResult(0, 0); // missing: nothing to sweep
    }
    if (!Files.isDirectory(root)) {
      return new SweepResult(0, 0);
    }
    Run run = new Run(prefix, root, given, markerlessMaxAge);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "chromelambda-*")) {
      for (Path dir : ds) {
        run.visit(dir);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}sweep of {} stopped early: {}", prefix, root, e.toString());
    }
    return new SweepResult(run.dirs, run.processes);
  }

  /**
   * SIGKILLs {@code pid} only if it is still the process that started at {@code startTicks} (field 22 of
   * /proc/PID/stat). Never signals this JVM or PID 1. The JDK's handle checks its own start time of the
   * PID again right before {@code kill(2)}, which closes the gap after this method's check.
   *
   * @return whether the signal was sent
   */
  static boolean killIfSame(long pid, long startTicks) {
    if (pid <= 1 || pid == SELF) {
      return false;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid); // records the start time of the PID's process now
    if (handle.isEmpty() || isGone(pid, startTicks)) {
      return false; // gone, or its PID now belongs to another process
    }
    return handle.get().destroyForcibly();
  }

  /** Whether the process that started at {@code startTicks} as {@code pid} is gone: dead, a zombie, or its PID reused. */
  static boolean isGone(long pid, long startTicks) {
    ProcFs.Stat s = ProcFs.stat(pid);
    return s == null || s.state() == 'Z' || s.state() == 'X' || s.startTicks() != startTicks;
  }

  /**
   * A live process seen by the sweep: PID, start time, raw command line (arguments NUL-separated) and
   * working directory (empty when unreadable).
   */
  record Proc(long pid, long startTicks, String cmdline, String cwd) {
    Proc(long pid, long startTicks, String cmdline) {
      this(pid, startTicks, cmdline, "");
    }

    /** Whether the command line or working directory contains {@code path} anywhere (a loose match, to protect a dir). */
    boolean mentions(String path) {
      return cmdline.contains(path) || cwd.contains(path);
    }

    /**
     * Whether the command line or the working directory names {@code path} itself: the path starts an
     * argument or follows an {@code =} or a space, and is followed by the argument's end, a {@code /} or a
     * space. So {@code /tmp/chromelambda-a} is not named by {@code --user-data-dir=/tmp/chromelambda-ab}.
     * Spaces count because Chromium's helpers (zygote, GPU, renderers) rewrite their command line into one
     * space-separated argument. The working directory counts because the headless shell's helpers name
     * their profile dir nowhere else: they keep the browser's, which the pool makes the profile dir.
     */
    boolean names(String path) {
      return names(cmdline, path) || names(cwd, path);
    }

    private static boolean names(String nulSeparated, String path) {
      for (String arg : nulSeparated.split("\0")) {
        for (int i = arg.indexOf(path); i >= 0; i = arg.indexOf(path, i + 1)) {
          int end = i + path.length();
          boolean before = i == 0 || arg.charAt(i - 1) == '=' || arg.charAt(i - 1) == ' ';
          boolean after = end == arg.length() || arg.charAt(end) == '/' || arg.charAt(end) == ' ';
          if (before && after) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** One sweep's state: the counts, and one /proc snapshot taken when first needed. */
  private static final class Run {
    private final String prefix;
    private final Path root;
    private final Path given;
    private final Duration markerlessMaxAge;
    private final Instant now = Instant.now();
    private final int myUid = ownUid();
    private List<Proc> snapshot;
    int dirs;
    int processes;

    Run(String prefix, Path root, Path given, Duration markerlessMaxAge) {
      this.prefix = prefix;
      this.root = root;
      this.given = given;
      this.markerlessMaxAge = markerlessMaxAge;
    }

    void visit(Path dir) {
      try {
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,isDirectory", LinkOption.NOFOLLOW_LINKS);
        if (!Boolean.TRUE.equals(a.get("isDirectory"))) {
          return; // a symlink (never followed), a file, a FIFO
        }
        if (!Integer.valueOf(myUid).equals(a.get("uid"))) {
          LOG.debug("{}sweep leaves {} alone: it belongs to uid {}", prefix, dir, a.get("uid"));
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}sweep leaves {} alone: cannot read its attributes ({})", prefix, dir, e.toString());
        return;
      }
      OwnerMarker.Owner owner = OwnerMarker.owner(dir);
      switch (owner) {
        case DEAD -> sweepDeadOwners(dir);
        case NONE -> sweepMarkerless(dir);
        default -> LOG.debug("{}sweep leaves {} alone: owner {}", prefix, dir, owner);
      }
    }

    /** Our marker, owner dead: kill what names the dir (start time matched), verify dead, delete. */
    private void sweepDeadOwners(Path dir) {
      long until = System.nanoTime() + KILL_WAIT_NANOS;
      for (int round = 0; ; round++) {
        List<Proc> users = usersOf(dir, round > 0);
        if (users.isEmpty()) {
          break;
        }
        List<Proc> named = users.stream().filter(p -> namedBy(p, dir)).toList();
        if (named.size() < users.size() || round == KILL_ROUNDS) {
          Proc p = users.stream().filter(u -> !named.contains(u)).findFirst().orElse(users.get(0));
          LOG.warn("{}startup sweep left stale profile dir {} in place: pid {} still mentions it ({})", prefix,
              dir, p.pid(), shown(p));
          return;
        }
        for (Proc p : named) {
          if (killIfSame(p.pid(), p.startTicks())) {
            processes++;
          }
        }
        if (!awaitGone(named, until)) {
          Proc p = named.stream().filter(u -> !isGone(u.pid(), u.startTicks())).findFirst().orElse(named.get(0));
          LOG.warn("{}startup sweep left stale profile dir {} in place: pid {} did not die after SIGKILL ({})",
              prefix, dir, p.pid(), shown(p));
          return;
        }
      }
      delete(dir);
    }

    /** No marker: not ours. Never kill for it; delete only when unused and untouched for the threshold. */
    private void sweepMarkerless(Path dir) {
      List<Proc> users = usersOf(dir, false);
      if (!users.isEmpty()) {
        Proc p = users.get(0);
        LOG.info("{}startup sweep left {} alone: it has no browserpool owner marker and pid {} uses it ({})",
            prefix, dir, p.pid(), shown(p));
        return;
      }
      Instant changed = lastChange(dir);
      if (changed == null || !changed.plus(markerlessMaxAge).isBefore(now)) {
        LOG.debug("{}sweep leaves {} alone: no owner marker, last changed {} (deleted once unused for {})",
            prefix, dir, changed, markerlessMaxAge);
        return;
      }
      LOG.debug("{}sweep deletes {}: no owner marker, unused, last changed {}", prefix, dir, changed);
      delete(dir);
    }

    private void delete(Path dir) {
      if (OwnerMarker.ownedHere(dir)) {
        return;
      }
      if (ProfileDirs.deleteWithRetries(prefix, dir, System.nanoTime() + TimeUnit.SECONDS.toNanos(1))) {
        dirs++;
      }
    }

    /** The live processes mentioning {@code dir} (by its real path or as reached through tempRoot). */
    private List<Proc> usersOf(Path dir, boolean fresh) {
      if (snapshot == null || fresh) {
        snapshot = scan(List.of(root.toString(), given.toString()));
      }
      String real = dir.toString();
      String alias = given.resolve(dir.getFileName()).toString();
      return snapshot.stream().filter(p -> p.mentions(real) || p.mentions(alias)).toList();
    }

    private boolean namedBy(Proc p, Path dir) {
      return p.names(dir.toString()) || p.names(given.resolve(dir.getFileName()).toString());
    }

    /** The newest modification time of the dir and its direct entries (not following links), or null. */
    private static Instant lastChange(Path dir) {
      try {
        Instant newest = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path p : ds) {
            try {
              Instant t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
              newest = t.isAfter(newest) ? t : newest;
            } catch (NoSuchFileException gone) {
              // deleted while listing
            }
          }
        }
        return newest;
      } catch (IOException | RuntimeException e) {
        return null; // cannot read it: leave it alone
      }
    }
  }

  /** Waits until every process in {@code procs} is gone (by PID and start time); false at the deadline. */
  private static boolean awaitGone(List<Proc> procs, long until) {
    while (true) {
      if (procs.stream().allMatch(p -> isGone(p.pid(), p.startTicks()))) {
        return true;
      }
      if (System.nanoTime() - until > 0) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * Every live process whose command line or working directory contains one of {@code needles}, with its
   * start time. The headless shell's helpers name their profile dir only as their working directory. The
   * start time is read before and after the rest, so all belong to the same process.
   */
  private static List<Proc> scan(List<String> needles) {
    List<Proc> out = new ArrayList<>();
    for (long pid : ProcFs.pids()) {
      String first = rawCmdline(pid);
      if (first == null) {
        continue;
      }
      String firstCwd = cwd(pid);
      if (needles.stream().noneMatch(n -> first.contains(n) || firstCwd.contains(n))) {
        continue;
      }
      for (int attempt = 0; attempt < 3; attempt++) {
        ProcFs.Stat before = ProcFs.stat(pid);
        String cmd = rawCmdline(pid);
        String cwd = cwd(pid);
        ProcFs.Stat after = ProcFs.stat(pid);
        if (before == null || cmd == null || after == null || after.state() == 'Z' || after.state() == 'X') {
          break;
        }
        if (before.startTicks() == after.startTicks()) {
          out.add(new Proc(pid, after.startTicks(), cmd, cwd));
          break;
        }
      }
    }
    return out;
  }

  /** The working directory, or empty when the process is gone or it cannot be read. */
  private static String cwd(long pid) {
    String cwd = ProcFs.cwd(pid);
    return cwd == null ? "" : cwd;
  }

  /** The command line with its NUL separators, or null when the process is gone or has none (a kernel thread). */
  private static String rawCmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String shown(Proc p) {
    String cmd = p.cmdline().replace('\0', ' ').trim();
    return cmd.length() > 200 ? cmd.substring(0, 200) + "..." : cmd;
  }

  /** This process's effective uid, from /proc/self/status; -1 (matching no dir) when it cannot be read. */
  private static int ownUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.split("\\s+")[2]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through: touch nothing
    }
    return -1;
  }
}
