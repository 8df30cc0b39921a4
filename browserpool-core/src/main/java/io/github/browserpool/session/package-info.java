/** SCAFFOLD (replaced by the session-state branch). */
package io.github.browserpool.session;
