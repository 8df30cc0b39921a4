package io.github.browserpool.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
  private final List<Process> started = new ArrayList<>();
  private Path scratch;

  @BeforeEach
  void makeScratch() throws IOException {
    scratch = Files.createTempDirectory("processtable-test-").toRealPath();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    LeakCheck.deleteTree(scratch);
  }

  private Process start(String... command) throws IOException {
    Process p = new ProcessBuilder(command).start();
    started.add(p);
    return p;
  }

  @Test
  void aTreeIsTheProcessItsDescendantsAndWhatNamesItsDir() throws Exception {
    // The "browser": sh with one sleeping child. Apart from it, a process naming the dir (as a browser's
    // crashpad handler does after it was re-parented): a shell blocked on the builtin read, which forks
    // nothing (a forked child names the dir too until it execs, and a tree taken then would list it).
    Process browser = start("/bin/sh", "-c", "sleep 30 & wait");
    long child = awaitOneChild(browser.pid());
    Process helper = start("/bin/sh", "-c", "read x", scratch.toString());

    List<Long> tree = List.copyOf(ProcessTable.tree(browser.pid(), scratch));

    assertThat(tree).containsExactly(browser.pid(), child, helper.pid());
    assertThat(ProcessTable.tree(browser.pid(), null)).containsExactly(browser.pid(), child);
    assertThat(ProcessTable.alive(tree)).containsExactly(browser.pid(), child, helper.pid());

    ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
    assertThat(browser.waitFor(10, TimeUnit.SECONDS)).as("sh exits once its child is gone").isTrue();
    assertThat(ProcessTable.alive(tree)).containsExactly(helper.pid());
    helper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(ProcessTable.alive(tree)).isEmpty();
  }

  private static long awaitOneChild(long pid) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ProcessTable.descendants(pid).isEmpty()) {
      assertThat(System.nanoTime()).as("a child of %s appears", pid).isLessThan(until);
      Thread.sleep(10);
    }
    return ProcessTable.descendants(pid).iterator().next();
  }
}
