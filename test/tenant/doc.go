// Package tenant attacks Teal as a tenant would: a ServiceAccount allowed to edit Flink resources in its own
// namespace only, impersonated through the real API server, tries every operator key that could point the
// operator at another namespace's JobManager, first through the admission webhooks and then with them out of
// the way; the victim's job must stay untouched.
package tenant
