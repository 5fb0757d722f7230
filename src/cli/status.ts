// `npm run status [tenant]`: one line per tenant import (or the full status of one tenant).
import { loadConfig } from '../config';
import { connectClient } from '../temporal/connection';
import { statusQuery, type TenantStatus } from '../../workflows/tenant-messages';

async function main(): Promise<void> {
  const config = loadConfig();
  const client = await connectClient({
    address: config.temporalAddress ?? `127.0.0.1:${config.temporalPort}`,
    namespace: config.temporalNamespace,
  });
  try {
    const tenant = process.argv[2];
    if (tenant) {
      const status = await client.workflow.getHandle(`cdr-import/${tenant}`).query(statusQuery);
      console.log(JSON.stringify(status, null, 2));
      return;
    }
    const rows: string[][] = [['TENANT', 'STATE', 'PHASE', 'CHECKPOINT', 'IMPORTED', 'RATED', 'UNMATCHED', 'QUARANTINED', 'ACTION NEEDED']];
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'tenantImport' AND ExecutionStatus = 'Running'` })) {
      const s: TenantStatus = await client.workflow.getHandle(wf.workflowId).query(statusQuery);
      const problem = s.lastError && s.state !== 'importing' && s.state !== 'waiting' ? s.lastError.operatorAction : '';
      rows.push([s.tenantId, s.state, s.phase, s.checkpoint, String(s.counts.imported), String(s.counts.rated), String(s.counts.unmatched), String(s.counts.quarantined), problem]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) console.log(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
    if (rows.length === 1) console.log('(no running tenant imports)');
  } finally {
    await client.connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
