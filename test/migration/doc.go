// Package migration runs two operator processes side by side with complementary
// kubernetes.operator.label.selector values — Teal beside the Apache operator during a migration, played by a
// second Teal — and checks that neither ever touches the other's resources.
package migration
