package io.github.browserpool.chrome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcFsTest {
  private static String statLine(String comm, char state) {
    // Fields 3..22 after the comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime stime cutime cstime priority nice num_threads itrealvalue starttime, then more.
    return "4242 (" + comm + ") " + state + " 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 9 0 987654 123 456";
  }

  @Test
  void parsesPlainStatLine() {
    ProcFs.Stat s = ProcFs.parseStat(statLine("chromium", 'S'));
    assertThat(s.pid()).isEqualTo(4242);
    assertThat(s.state()).isEqualTo('S');
    assertThat(s.ppid()).isEqualTo(17);
    assertThat(s.startTicks()).isEqualTo(987654);
  }

  @Test
  void commWithSpacesAndParenthesesIsReadUpToTheLastParenthesis() {
    ProcFs.Stat s = ProcFs.parseStat(statLine("a) (b c) Z 1 (", 'R'));
    assertThat(s.pid()).isEqualTo(4242);
    assertThat(s.state()).as("not the 'Z' inside the comm").isEqualTo('R');
    assertThat(s.ppid()).isEqualTo(17);
    assertThat(s.startTicks()).isEqualTo(987654);
  }

  @Test
  void rejectsMalformedLines() {
    assertThatThrownBy(() -> ProcFs.parseStat("garbage")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcFs.parseStat("12 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcFs.parseStat("ab (x) " + "S 1 ".repeat(30))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsThisJvm() {
    long self = ProcessHandle.current().pid();
    ProcFs.Stat s = ProcFs.stat(self);
    assertThat(s).isNotNull();
    assertThat(s.pid()).isEqualTo(self);
    assertThat(s.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(ProcFs.isAlive(self)).isTrue();
    assertThat(ProcFs.pids()).contains(self);
    assertThat(ProcFs.cmdline(self)).contains("java").doesNotContain("\0");
    assertThat(ProcFs.stat(Long.MAX_VALUE)).isNull();
    assertThat(ProcFs.cmdline(Long.MAX_VALUE)).isNull();
    assertThat(ProcFs.isAlive(Long.MAX_VALUE)).isFalse();
  }

  @Test
  void zombieCountsAsDeadAndChildrenAreFound() throws Exception {
    // A shell whose child exits at once and stays a zombie until the shell (sleeping) reaps it.
    String sleep = "sleep 30." + System.nanoTime(); // unique, so no other process matches it
    Process sh = new ProcessBuilder("/bin/sh", "-c", "/bin/true & exec " + sleep).start();
    try {
      long pid = sh.pid();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Long zombie = null;
      while (zombie == null && System.nanoTime() - deadline < 0) {
        for (long p : ProcFs.pids()) {
          ProcFs.Stat st = ProcFs.stat(p);
          if (st != null && st.ppid() == pid && st.state() == 'Z') {
            zombie = p;
          }
        }
        Thread.sleep(10);
      }
      assertThat(zombie).as("zombie child of the sleeping shell").isNotNull();
      assertThat(ProcFs.stat(zombie)).isNotNull();
      assertThat(ProcFs.isAlive(zombie)).isFalse();
      assertThat(ProcFs.isAlive(pid)).isTrue();
      assertThat(ProcFs.referencing(sleep)).containsExactly(pid);
    } finally {
      sh.destroyForcibly();
      sh.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aProcessIsFoundByItsWorkingDirectoryToo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    // As the headless shell's helpers: no profile dir on the command line, but the browser's working dir.
    java.nio.file.Path dir = java.nio.file.Files.createDirectory(tmp.resolve("chromelambda-cwd-" + System.nanoTime()));
    Process p = new ProcessBuilder("/bin/sh", "-c", "read x").directory(dir.toFile()).start();
    try {
      assertThat(ProcFs.cmdline(p.pid())).doesNotContain(dir.toString());
      assertThat(ProcFs.scan(dir.toString(), -1)).containsExactly(p.pid());
      assertThat(ProcFs.referencing(dir.toString())).containsExactly(p.pid());
      assertThat(ProcFs.scan(dir + "-other", -1)).isEmpty();
    } finally {
      p.destroyForcibly().waitFor();
    }
    assertThat(ProcFs.referencing(dir.toString())).isEmpty();
  }

  @Test
  void oneScanFindsProcessesNamingTheNeedleAndTheLiveDescendantsOfTheRoot() throws Exception {
    String needle = "procfs-scan-" + System.nanoTime();
    // A shell naming the needle, with a child that does not name it.
    Process root = new ProcessBuilder("/bin/sh", "-c", "sleep 30 & wait", needle).start();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> !ProcFs.children(root.pid()).isEmpty());
      long child = ProcFs.children(root.pid()).get(0);
      long before = ProcFs.fullScans();

      assertThat(ProcFs.scan(needle, -1)).containsExactly(root.pid());
      assertThat(ProcFs.scan(needle, root.pid())).containsExactlyInAnyOrder(root.pid(), child);
      assertThat(ProcFs.scan("no-process-names-this-" + needle, root.pid())).containsExactly(child);
      assertThat(ProcFs.fullScans() - before).isEqualTo(3);
      assertThat(ProcFs.children(child)).isEmpty();
    } finally {
      root.descendants().forEach(ProcessHandle::destroyForcibly);
      root.destroyForcibly().waitFor();
    }
    assertThat(ProcFs.children(root.pid())).as("a reaped process has no children file").isEmpty();
  }
}
