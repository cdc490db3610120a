package io.github.tealflink.gate.protocol;

/** A child's colour: the values of {@code active-deployment-type}. */
public enum Colour {
    /** The blue child. */
    BLUE,
    /** The green child. */
    GREEN
}
