// Sends a scripted session through Segment's Node library, unmodified, to a LeadPulse host.
// Usage: node send.mjs <host> <writeKey> '<calls JSON>' — calls: [["identify", {...}], ...]
// Exits non-zero with the library's errors on stderr if any delivery failed.
import { Analytics } from '@segment/analytics-node'

const [host, writeKey, calls] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, maxRetries: 0, flushAt: 50, flushInterval: 50 })
const errors = []
analytics.on('error', (error) => errors.push(String(error?.reason ?? error?.code ?? error)))
for (const [call, message] of JSON.parse(calls)) {
  analytics[call](message)
}
await analytics.closeAndFlush({ timeout: 30000 })
if (errors.length > 0) {
  console.error(errors.join('\n'))
  process.exit(1)
}
console.log('flushed')
