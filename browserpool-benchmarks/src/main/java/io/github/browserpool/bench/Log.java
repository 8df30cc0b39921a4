package io.github.browserpool.bench;

/** The run's progress on standard output, flushed line by line (Maven's exec shows it as it comes). */
final class Log {
  private Log() {}

  static void line(String s) {
    System.out.println(s);
    System.out.flush();
  }
}
