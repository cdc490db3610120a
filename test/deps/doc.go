// Package deps holds checks on how the code depends on itself: test doubles and test libraries stay out of the
// operator and the demo, and no controller package imports another one.
package deps
