package io.github.browserpool.chrome;

import io.github.browserpool.CloseReason;
import java.time.Duration;

/**
 * How closing one browser went.
 *
 * @param finishedBy the step after which the whole tree was dead
 * @param forced true when SIGKILL was needed because the graceful steps missed their deadline
 * @param treeVerifiedDead every captured PID was seen dead (or zombie) in /proc
 * @param dirDeleted the profile dir is gone
 */
public record CloseOutcome(
    CloseReason reason, Step finishedBy, Duration took, boolean forced, boolean treeVerifiedDead,
    boolean dirDeleted) {

  /** The escalation steps of a close. */
  public enum Step {
    ALREADY_DEAD,
    GRACEFUL,
    SIGTERM,
    SIGKILL
  }
}
