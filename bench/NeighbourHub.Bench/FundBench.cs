using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Fund;
using NeighbourHub.Web.Transparency;

/// <summary>
/// The owners' fund log on MariaDB: appends per second to one estate's log (each a transaction under the log's
/// lock, with its signed head), and the cost of inclusion and consistency proofs in a log of a million leaves.
/// </summary>
internal static class FundBench
{
    public static async Task<int> RunAppendsAsync(int appends, int concurrency)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_fund", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
        var org = await TestOrg.SeedAsync(app);
        var ledger = app.Services.GetRequiredService<FundLedger>();
        async Task AppendAsync(int i)
        {
            await using var db = app.SystemDb();
            await ledger.AppendAsync(db, org.EstateA1, [new EntryDraft(FundEntryKind.Income, 10_000 + i, FundCategories.PropertyFee, $"物业费 {i}", "1栋1单元", $"bench:{i}")],
                mayOverdraw: true, CancellationToken.None);
        }

        for (var i = 0; i < 50; i++)
        {
            await AppendAsync(-1 - i); // warm-up
        }

        var latencies = new double[appends];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < appends)
            {
                var started = Stopwatch.GetTimestamp();
                await AppendAsync(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var elapsed = clock.Elapsed;
        Array.Sort(latencies);
        await using var check = app.SystemDb();
        var seqs = await check.FundEntries.Where(e => e.EstateId == org.EstateA1).OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        var gapless = seqs.Select((s, i) => s == i).All(ok => ok);
        Console.WriteLine($"fund appends: {appends} in {elapsed.TotalSeconds:N2} s with {concurrency} in flight = {appends / elapsed.TotalSeconds:N0}/s, " +
            $"p50 {latencies[appends / 2]:N1} ms, p99 {latencies[(int)(appends * 0.99)]:N1} ms; {seqs.Count} entries, seq without gaps: {gapless}");
        return gapless && seqs.Count == appends + 50 ? 0 : 1;
    }

    public static async Task<int> RunProofsAsync(int leaves)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_fund_proofs", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
        var logs = app.Services.GetRequiredService<TransparencyLogs>();
        long logId;
        await using (var db = app.SystemDb())
        {
            logId = (await logs.OpenAsync(db, "bench", 1, CancellationToken.None)).Id;
        }

        // Build the node table a log of this size would have (the same CompletedBy / NodeHash as appends), in bulk.
        var clock = Stopwatch.StartNew();
        var nodes = new Dictionary<long, byte[]>(leaves * 2);
        var leafHashes = new List<byte[]>(leaves);
        for (long i = 0; i < leaves; i++)
        {
            var hash = MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"{{\"seq\":{i}}}"));
            leafHashes.Add(hash);
            foreach (var (level, index) in MerkleTree.CompletedBy(i))
            {
                if (level > 0)
                {
                    hash = MerkleTree.NodeHash(nodes[MerkleTree.NodeKey(level - 1, index * 2)], hash);
                }

                nodes[MerkleTree.NodeKey(level, index)] = hash;
            }
        }

        await using (var db = app.SystemDb())
        {
            foreach (var chunk in nodes.Chunk(5000))
            {
                var sql = new StringBuilder("INSERT INTO TransparencyNodes (LogId, `Key`, Hash) VALUES ");
                sql.AppendJoin(',', chunk.Select(n => $"({logId},{n.Key},0x{Convert.ToHexString(n.Value)})"));
                await db.Database.ExecuteSqlRawAsync(sql.ToString());
            }

            await db.TransparencyLogs.Where(l => l.Id == logId).ExecuteUpdateAsync(u => u.SetProperty(l => l.Size, leaves));
        }

        Console.WriteLine($"built a log of {leaves:N0} leaves ({nodes.Count:N0} stored nodes) in {clock.Elapsed.TotalSeconds:N1} s");
        var root = MerkleTree.Root(leaves, key => nodes[key]);
        var random = new Random(42);
        var samples = 200;
        var inclusion = new List<double>();
        var consistency = new List<double>();
        await using (var db = app.SystemDb())
        {
            for (var s = 0; s < samples; s++)
            {
                var index = random.NextInt64(leaves);
                var started = Stopwatch.GetTimestamp();
                var path = await logs.InclusionPathAsync(db, logId, index, leaves, CancellationToken.None);
                inclusion.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!MerkleTree.VerifyInclusion(index, leaves, leafHashes[(int)index], path, root))
                {
                    Console.Error.WriteLine($"inclusion proof of {index} does not verify");
                    return 1;
                }

                var first = random.NextInt64(1, leaves);
                started = Stopwatch.GetTimestamp();
                var proof = await logs.ConsistencyPathAsync(db, logId, first, leaves, CancellationToken.None);
                consistency.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!MerkleTree.VerifyConsistency(first, leaves, MerkleTree.Root(first, key => nodes[key]), root, proof))
                {
                    Console.Error.WriteLine($"consistency proof {first}→{leaves} does not verify");
                    return 1;
                }
            }
        }

        inclusion.Sort();
        consistency.Sort();
        Console.WriteLine($"inclusion proof in {leaves:N0} leaves: p50 {inclusion[samples / 2]:N2} ms, p99 {inclusion[(int)(samples * 0.99)]:N2} ms; " +
            $"consistency proof: p50 {consistency[samples / 2]:N2} ms, p99 {consistency[(int)(samples * 0.99)]:N2} ms ({samples} each, all verified)");
        return 0;
    }
}
