using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>
/// A year's sums by kind, in fen, of the entries up to and including <see cref="UpToSeq"/>; <see cref="UpToId"/> is
/// that entry's row id, so a ledger that is not the one summed (a test's reset, a database swapped under a running
/// instance) is noticed and summed afresh. Not every swap can be told by ids alone: a restore is done with the
/// instances stopped (deploy/README.md), which empties these sums.
/// </summary>
public sealed record FundYearSums(long UpToSeq, long UpToId, long IncomeFen, long ExpenseFen, long RemunerationFen, long ReversalFen)
{
    /// <summary>Nothing summed yet (sequence numbers start at 0).</summary>
    public static readonly FundYearSums Empty = new(-1, 0, 0, 0, 0, 0);

    public FundYearSums Add(long seq, long id, bool inYear, FundEntryKind kind, long fen)
    {
        var moved = this with { UpToSeq = seq, UpToId = id };
        return !inYear ? moved : kind switch
        {
            FundEntryKind.Income => moved with { IncomeFen = IncomeFen + fen },
            FundEntryKind.Expense => moved with { ExpenseFen = ExpenseFen + fen },
            FundEntryKind.Remuneration => moved with { RemunerationFen = RemunerationFen + fen },
            _ => moved with { ReversalFen = ReversalFen + fen },
        };
    }
}

/// <summary>
/// The fund summary's year totals, which every resident opening the fund page asks for. Summing the year's entries
/// on every view grows with the estate (a payment is an entry: tens of thousands a year) and was a full scan with a
/// sort per request. The ledger is append-only — no code path changes or deletes an entry, and appends are
/// serialised by the log's lock, so entries become visible in sequence order — so the sum of entries up to a
/// sequence number never changes: each instance keeps it per estate and year and adds only the entries appended
/// since, read by the (EstateId, Seq) index. Exact, across instances, with nothing to invalidate.
/// </summary>
public sealed class FundYearTotals
{
    private readonly ConcurrentDictionary<(long EstateId, int Year), FundYearSums> _known = new();

    private const int Batch = 5000;

    public async Task<FundYearSums> ReadAsync(NeighbourHubDbContext db, long estateId, int year, DateTimeOffset yearStart, CancellationToken ct)
    {
        var sums = _known.TryGetValue((estateId, year), out var known) ? known : FundYearSums.Empty;
        var restarted = false;
        while (true)
        {
            // From the last entry summed (to check it is still the same row) onwards, in sequence order.
            var since = sums.UpToSeq;
            var rows = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId && e.Seq >= since)
                .OrderBy(e => e.Seq).Select(e => new { e.Seq, e.Id, e.Kind, e.AmountFen, InYear = e.At >= yearStart })
                .Take(Batch + 1).ToListAsync(ct);
            if (since >= 0 && (rows.Count == 0 || rows[0].Seq != since || rows[0].Id != sums.UpToId))
            {
                sums = FundYearSums.Empty; // not the ledger we summed: start again from its first entry
                restarted = true;
                continue;
            }

            foreach (var e in rows.Where(e => e.Seq > since))
            {
                sums = sums.Add(e.Seq, e.Id, e.InYear, e.Kind, e.AmountFen);
            }

            if (rows.Count <= Batch)
            {
                break;
            }
        }

        // Another request may have moved further meanwhile: keep whichever covers more of the same ledger.
        var result = sums;
        _known.AddOrUpdate((estateId, year), result, (_, current) => !restarted && current.UpToSeq > result.UpToSeq ? current : result);
        return result;
    }
}
