package io.github.browserpool.grid;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the remote startup sweep tells a dead owner from a live or unknown one, from the label alone. */
class GridOwnerTest {
  @Test
  void thisJvmsLabelIsAliveAndNamesThisJvm() {
    ObjectNode label = GridOwner.label("p", "r1");
    assertThat(label.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(label.path("pool").asText()).isEqualTo("p");
    assertThat(label.path("request").asText()).isEqualTo("r1");
    assertThat(GridOwner.isThisJvm(label)).isTrue();
    assertThat(GridOwner.isDeadOwnerOnThisMachine(label)).isFalse();
  }

  @Test
  void anOwnerOnThisMachineIsDeadWhenItsPidIsGoneOrReused() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    ObjectNode exited = GridOwner.label("p", "r").put("pid", gone.pid());
    assertThat(GridOwner.isDeadOwnerOnThisMachine(exited)).as("PID gone").isTrue();

    ObjectNode reused = GridOwner.label("p", "r").put("start", "2001-01-01T00:00:00Z");
    assertThat(GridOwner.isDeadOwnerOnThisMachine(reused)).as("this PID, another start time").isTrue();
  }

  @Test
  void anotherLiveProcessOnThisMachineIsAlive() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      ObjectNode label = GridOwner.label("p", "r").put("pid", sleeper.pid())
          .put("start", sleeper.toHandle().info().startInstant().orElseThrow().toString());
      assertThat(GridOwner.isDeadOwnerOnThisMachine(label)).isFalse();
      assertThat(GridOwner.isThisJvm(label)).isFalse();
    } finally {
      sleeper.destroyForcibly();
      sleeper.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void labelsFromAnotherMachineOrIncompleteOnesAreNeverJudgedDead() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    assertThat(GridOwner.isDeadOwnerOnThisMachine(
        GridOwner.label("p", "r").put("pid", gone.pid()).put("machine", "other-boot/pid:[1]"))).isFalse();
    assertThat(GridOwner.isDeadOwnerOnThisMachine(GridOwner.label("p", "r").put("pid", gone.pid()).put("start", "")))
        .isFalse();
    ObjectNode noPid = GridOwner.label("p", "r");
    noPid.remove("pid");
    assertThat(GridOwner.isDeadOwnerOnThisMachine(noPid)).isFalse();
    assertThat(GridOwner.isDeadOwnerOnThisMachine(null)).isFalse();
    assertThat(GridOwner.isDeadOwnerOnThisMachine(JsonNodeFactory.instance.textNode("me"))).isFalse();
  }
}
