package io.github.browserpool.spring;

/**
 * A {@code browserpool.*} property whose value {@code PoolConfig} rejected. Boot's failure analysis
 * reports it at startup ({@link InvalidBrowserPoolPropertyFailureAnalyzer}).
 */
public class InvalidBrowserPoolPropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;

  InvalidBrowserPoolPropertyException(String property, String value, IllegalArgumentException cause) {
    super("invalid " + property + "=" + value + ": " + cause.getMessage(), cause);
    this.property = property;
    this.value = value;
  }

  /** The property, such as {@code browserpool.max-browsers}. */
  public String getProperty() {
    return property;
  }

  /** The value as written in the configuration. */
  public String getValue() {
    return value;
  }

  /** PoolConfig's own message: the setting, the value and what to pass. */
  public String getReason() {
    return getCause().getMessage();
  }
}
