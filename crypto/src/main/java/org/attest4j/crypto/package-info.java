/** attest4j crypto (being built). */
package org.attest4j.crypto;
