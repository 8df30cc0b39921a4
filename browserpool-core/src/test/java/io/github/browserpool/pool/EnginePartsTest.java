package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's parts are parts: each gets {@link PoolState} and the collaborators it uses through its
 * constructor and reaches the engine only through {@link Decisions}, never the whole {@link PoolEngine}.
 * Lists the offending constructors and fields, so that a part given the engine again fails here.
 */
class EnginePartsTest {
  private static final List<Class<?>> PARTS =
      List.of(Grants.class, Launches.class, LeaseLifecycle.class, Reaper.class, Steering.class);

  @Test
  void noPartHoldsOrIsGivenTheEngine() {
    List<String> offending = new ArrayList<>();
    for (Class<?> part : PARTS) {
      for (Constructor<?> c : part.getDeclaredConstructors()) {
        for (Class<?> p : c.getParameterTypes()) {
          if (p == PoolEngine.class) {
            offending.add(part.getSimpleName() + "'s constructor takes PoolEngine");
          }
        }
      }
      for (Field f : part.getDeclaredFields()) {
        if (f.getType() == PoolEngine.class) {
          offending.add(part.getSimpleName() + "." + f.getName() + " is a PoolEngine");
        }
      }
    }
    assertThat(offending).isEmpty();
  }

  @Test
  void everyPartIsGivenTheStateAndTheDecisions() {
    for (Class<?> part : PARTS) {
      Constructor<?>[] ctors = part.getDeclaredConstructors();
      assertThat(ctors).as(part.getSimpleName()).hasSize(1);
      assertThat(ctors[0].getParameterTypes()).as(part.getSimpleName())
          .contains(PoolState.class, Decisions.class);
    }
  }
}
