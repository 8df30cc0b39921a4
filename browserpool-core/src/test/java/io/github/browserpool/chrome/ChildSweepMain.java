package io.github.browserpool.chrome;

import java.nio.file.Path;

/** Main class for child-JVM tests: sweeps tempRoot once and prints "SWEEP dirs processes". */
public final class ChildSweepMain {
  private ChildSweepMain() {}

  public static void main(String[] args) {
    SweepResult r = ProfileSweeper.sweep(Path.of(args[0]));
    System.out.println("SWEEP " + r.dirs() + " " + r.processes());
  }
}
