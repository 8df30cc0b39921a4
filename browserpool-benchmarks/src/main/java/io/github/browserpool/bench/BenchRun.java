package io.github.browserpool.bench;

/**
 * What every measure of one run shares: its settings, where contenders come from, where samples go, and
 * the round-robin that takes them.
 */
record BenchRun(Settings settings, Env env, Results results, Turns turns) {
  static BenchRun of(Settings settings) {
    Leftovers leftovers = new Leftovers(settings.tmp());
    Results results = new Results();
    return new BenchRun(settings, new Env(settings.chrome(), settings.shell(), settings.tmp(), leftovers), results,
        new Turns(results, leftovers));
  }

  int get(Knob k) {
    return settings.get(k);
  }
}
