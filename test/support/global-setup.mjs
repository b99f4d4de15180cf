// Placeholder: replaced by the real server harness (scripts/lib). Unit-only runs set NRC_SKIP_SERVERS=1.
export default async function globalSetup() {}
