package io.github.browserpool.junit5;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Runs a fixture class on the Jupiter engine, as its own test run, with the given configuration. */
final class Runs {
  private Runs() {}

  static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameters(configuration)
        .selectors(selectClass(fixture))
        .execute();
  }

  static EngineExecutionResults run(Class<?> fixture) {
    return run(fixture, Map.of());
  }
}
