/**
 * The image view's Vulnerabilities tab: the scan reports attached to the image (verified or not, with their
 * severity counts), and offline OSV matching of its packages against the imported database (whose date is
 * shown), with the path of a database to import when there is none.
 * Test hooks: region "Vulnerabilities"; [data-testid=osv-database] (data-date); table "OSV matches";
 * list "Attached reports" with one item per report (data-format, data-verified).
 */
import { useEffect, useState } from 'react';
import { ErrorState, LoadingState } from '../../components/states';
import { useVulns } from '../../stores/vulns';
import { countsTitle } from './VulnCountsCell';
import './vulns.css';

export function VulnsTab({ reference }: { reference: string }) {
  const attached = useVulns((s) => s.attached[reference]);
  const scan = useVulns((s) => s.scans[reference]);
  const database = useVulns((s) => s.database);
  const wantAttached = useVulns((s) => s.wantAttached);
  const runScan = useVulns((s) => s.scan);
  const loadDatabase = useVulns((s) => s.loadDatabase);
  const importDatabase = useVulns((s) => s.importDatabase);
  const [path, setPath] = useState('');
  useEffect(() => {
    wantAttached(reference);
    void loadDatabase();
  }, [wantAttached, loadDatabase, reference]);

  const db = database?.value;
  return (
    <section className="tab-content vulns" aria-label="Vulnerabilities">
      <h3>Attached reports</h3>
      {!attached || attached.status === 'loading' ? (
        <LoadingState label="Reading attached reports…" />
      ) : attached.status === 'error' ? (
        <ErrorState error={attached.error} compact />
      ) : attached.value.reports.length === 0 ? (
        <p className="muted">No vulnerability report is attached to this image.</p>
      ) : (
        <ul aria-label="Attached reports" className="vuln-reports">
          {attached.value.reports.map((report) => (
            <li key={`${report.source}-${report.format}`} data-format={report.format} data-verified={report.verified}>
              <strong>{report.format}</strong> <span className="mono">{report.source}</span>{' '}
              {report.verified ? 'verified' : `unverified (${report.reason ?? 'not verified'}): not used by gates`}
              {report.scanner ? <span className="muted"> · {report.scanner}</span> : null}
              <div>{countsTitle(report.counts)}</div>
            </li>
          ))}
        </ul>
      )}
      {attached?.status === 'ready'
        ? attached.value.problems.map((problem) => (
            <p key={problem} className="muted">
              {problem}
            </p>
          ))
        : null}

      <h3>OSV matching</h3>
      <div data-testid="osv-database" data-date={db?.date ?? ''}>
        {db ? (
          <p>
            Database <span className="mono">{db.path}</span>: {db.records} records, dated {db.date ?? 'unknown'} (
            {db.ecosystems.join(', ')}).
          </p>
        ) : (
          <p className="muted">No OSV database is imported. Give a folder or zip of OSV records (osv.dev’s all.zip).</p>
        )}
        <form
          className="vuln-import"
          onSubmit={(event) => {
            event.preventDefault();
            if (path.trim()) void importDatabase(path.trim());
          }}
        >
          <input
            className="input input-small mono"
            aria-label="OSV database path"
            placeholder="/path/to/osv (folder or .zip)"
            value={path}
            onChange={(event) => setPath(event.target.value)}
          />
          <button type="submit" className="button">
            {db ? 'Import another' : 'Import'}
          </button>
        </form>
        {database?.status === 'error' ? <ErrorState error={database.error} compact /> : null}
      </div>
      {db ? (
        <button type="button" className="button button-primary" onClick={() => void runScan(reference)}>
          Match packages
        </button>
      ) : null}
      {scan?.status === 'loading' ? <LoadingState label="Reading packages and matching…" /> : null}
      {scan?.status === 'error' ? <ErrorState error={scan.error} compact /> : null}
      {scan?.status === 'ready' ? (
        <>
          <p>
            {scan.value.packagesScanned} packages
            {scan.value.os ? ` (${scan.value.os.id} ${scan.value.os.versionId})` : ''}:{' '}
            {scan.value.vulnerabilities.length} matches, database of {scan.value.database.date ?? 'unknown date'}.
          </p>
          <table className="data-table" aria-label="OSV matches">
            <thead>
              <tr>
                <th>ID</th>
                <th>Package</th>
                <th>Installed</th>
                <th>Fixed</th>
                <th>Severity</th>
              </tr>
            </thead>
            <tbody>
              {scan.value.vulnerabilities.map((match) => (
                <tr key={`${match.id}-${match.package}-${match.version}`} data-severity={match.severity}>
                  <td className="mono">{match.id}</td>
                  <td>{match.source ? `${match.package} (${match.source})` : match.package}</td>
                  <td className="mono">{match.version}</td>
                  <td className="mono">{match.fixed ?? '—'}</td>
                  <td title={match.vector}>
                    {match.severity}
                    {match.score !== undefined ? ` ${match.score.toFixed(1)}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
