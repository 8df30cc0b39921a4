package io.github.browserpool.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ProcessTable#withEnvironment} against real processes with their own environments. */
class ProcessTableEnvironmentTest {
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process sleeperWith(String name, String value) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("sleep", "30"); // no shell: destroying it leaves no child
    pb.environment().put(name, value);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  @Test
  void findsTheProcessesWhoseEnvironmentHoldsTheWholeEntryAndNoOther() throws Exception {
    String mark = "/tmp/bp-" + UUID.randomUUID();
    Process exact = sleeperWith("BP_TABLE_TEST", mark);
    Process longer = sleeperWith("BP_TABLE_TEST", mark + "x"); // the entry is a prefix of its own
    Process otherName = sleeperWith("BP_TABLE_TEST_2", mark); // the value under another name

    List<Long> found = ProcessTable.withEnvironment("BP_TABLE_TEST=" + mark);

    assertThat(found).contains(exact.pid()).doesNotContain(longer.pid(), otherName.pid());
    exact.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(ProcessTable.withEnvironment("BP_TABLE_TEST=" + mark)).doesNotContain(exact.pid());
  }
}
