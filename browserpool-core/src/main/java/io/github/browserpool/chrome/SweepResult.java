package io.github.browserpool.chrome;

/** What a startup sweep removed: stale profile dirs deleted and stale processes killed. */
public record SweepResult(int dirs, int processes) {}
