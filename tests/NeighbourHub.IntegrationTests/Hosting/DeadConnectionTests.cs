using System.Net;
using MySqlConnector;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// A restart of MariaDB leaves the app's pool full of dead connections. Whatever finds them — the reset when a
/// connection is handed out, or the first command on it (DeadConnections clears every pool then) — at most one
/// request answers 503 with Retry-After, and every request after it works.
/// </summary>
public sealed class DeadConnectionTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task After_the_servers_connections_die_one_request_fails_with_503_and_the_rest_work()
    {
        var (resident, _) = await VerifiedResidentAsync("wx-dead-conn", Org.HouseholdsA1[1]);

        // Fill the pool: requests in parallel each take a connection of their own.
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ => Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync("/api/v1/me")).StatusCode)));

        // What a restart does to them: the server ends every session of the app's database but this one.
        await using (var admin = new MySqlConnection(App.ConnectionString))
        {
            await admin.OpenAsync();
            var ids = new List<long>();
            await using (var list = new MySqlCommand("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()", admin))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    ids.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            Assert.True(ids.Count >= 2, $"expected the app's pooled connections, found {ids.Count}");
            foreach (var id in ids)
            {
                await using var kill = new MySqlCommand($"KILL {id}", admin);
                try
                {
                    await kill.ExecuteNonQueryAsync();
                }
                catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchThread)
                {
                    // It ended on its own meanwhile.
                }
            }
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            var response = await resident.GetAsync("/api/v1/me");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.True(statuses.Count(s => s != HttpStatusCode.OK) <= 1, string.Join(", ", statuses));
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.All(statuses.Skip(statuses.FindIndex(s => s != HttpStatusCode.OK) + 1), s => Assert.Equal(HttpStatusCode.OK, s));
    }
}
