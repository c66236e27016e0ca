using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>Refused admin sign-ins are in the audit log beside admin.login: the name tried, the address and why, never the password.</summary>
public sealed class SignInAuditTests(AppFixture fixture) : AppTest(fixture)
{
    private const string Stranger = "203.0.113.77";

    [Fact]
    public async Task Wrong_passwords_unknown_names_and_locked_names_are_audited_with_the_address_and_without_the_password()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("adminB", $"Guess-{i}-secret", Stranger));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("adminB", "Guess-locked-secret", Stranger)); // now locked out of this address
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("no-such-admin", "Guess-unknown-secret", Stranger));
        // The console's form goes through the same AdminSignIn.CheckAsync; another address this time.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync("adminA", "Guess-other-secret", "198.51.100.23"));

        await using var db = App.SystemDb();
        var failed = await db.AuditLogs.AsNoTracking().Where(a => a.Action == "admin.login.failed").OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(8, failed.Count);
        Assert.All(failed, a => Assert.DoesNotContain("secret", a.After ?? "", StringComparison.OrdinalIgnoreCase));
        Assert.All(failed.Take(7), a => Assert.Contains($"\"address\":\"{Stranger}\"", a.After, StringComparison.Ordinal));
        var reasons = failed.Select(a => System.Text.Json.JsonDocument.Parse(a.After!).RootElement.GetProperty("reason").GetString()).ToList();
        // The fifth failure locks the name out of the address (on MariaDB the lock already answers the fifth attempt).
        Assert.Equal(["wrong_password", "wrong_password", "wrong_password", "wrong_password"], reasons.Take(4));
        Assert.Equal(["locked", "unknown_name", "wrong_password"], reasons.Skip(5));
        Assert.Equal("adminB", failed[0].ActorName);
        var adminB = await db.Users.SingleAsync(u => u.UserName == "adminB");
        Assert.Equal(adminB.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), failed[0].EntityId);
        Assert.Equal("no-such-admin", failed[6].ActorName);
        Assert.Null(failed[6].EntityId);
        Assert.Contains("198.51.100.23", failed[7].After, StringComparison.Ordinal);
        Assert.Equal("adminA", failed[7].ActorName);
    }

    private async Task<HttpStatusCode> LoginAsync(string userName, string password, string peer)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, peer);
        return (await client.PostAsJsonAsync("/api/v1/admin/auth/login", new { userName, password })).StatusCode;
    }
}
