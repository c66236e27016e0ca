using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Tenancy;
using Xunit;

namespace NeighbourHub.IntegrationTests.Security;

/// <summary>
/// Access scopes are cached per instance (ScopeCache). Two instances share MariaDB and Redis: a scope is cached on B,
/// the grant behind it is withdrawn through A, and B's very next request no longer has it — and a cached scope is
/// never wider than one resolved fresh from the database.
/// </summary>
public sealed class ScopeCacheTests(ScopeCacheTests.Instances fixture) : IClassFixture<ScopeCacheTests.Instances>
{
    /// <summary>
    /// Two instances as deployed: one database, one Redis and the same key prefix (each test factory otherwise gets a
    /// prefix of its own, which would hide one instance's stamps from the other).
    /// </summary>
    public sealed class Instances : IAsyncLifetime
    {
        public NeighbourHubAppFactory InstanceA { get; private set; } = null!;
        public NeighbourHubAppFactory InstanceB { get; private set; } = null!;
        public TestOrg Org { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var shared = new Dictionary<string, string?> { ["Redis:KeyPrefix"] = $"nh-test-{Guid.NewGuid():N}:" };
            InstanceA = await NeighbourHubAppFactory.OnMariaDbAsync("nh_scope_cache", wechat: null, shared);
            InstanceB = new NeighbourHubAppFactory(InstanceA.Provider, InstanceA.ConnectionString, wechat: null, useRedis: true, shared);
            Org = await TestOrg.SeedAsync(InstanceA);
        }

        public async Task DisposeAsync()
        {
            await InstanceA.DisposeAsync();
            await InstanceB.DisposeAsync();
        }
    }

    private NeighbourHubAppFactory A => fixture.InstanceA;
    private NeighbourHubAppFactory B => fixture.InstanceB;
    private TestOrg Org => fixture.Org;

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path) => (await client.GetAsync(path)).StatusCode;

    /// <summary>Reads twice on B, so the second answer came from B's cache.</summary>
    private static async Task AssertSeenTwiceAsync(HttpClient onB, string path)
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(onB, path));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(onB, path));
    }

    [Fact]
    public async Task A_residence_removed_on_one_instance_stops_working_on_the_next_request_on_the_other()
    {
        var (residentId, token) = (await A.CreateResidentsAsync("scope-cache-res", 1))[0];
        await using (var db = A.SystemDb())
        {
            var residence = Residence.Apply(residentId, Org.HouseholdsA2[3], Org.EstateA2, ResidenceRelation.Owner, "缓存测试", DateTimeOffset.UtcNow);
            residence.Approve(null, DateTimeOffset.UtcNow);
            db.Residences.Add(residence);
            await db.SaveChangesAsync();
        }

        var onB = B.ClientWithToken(token);
        var fund = $"/api/v1/estates/{Org.EstateA2}/fund";
        await AssertSeenTwiceAsync(onB, fund);

        await using (var db = A.SystemDb())
        {
            db.Residences.RemoveRange(await db.Residences.Where(r => r.ResidentId == residentId).ToListAsync());
            await db.SaveChangesAsync();
        }

        Assert.NotEqual(HttpStatusCode.OK, await StatusAsync(onB, fund));
    }

    [Fact]
    public async Task A_revoked_role_stops_working_on_the_next_request_on_the_other_instance()
    {
        var adminId = await NewAdminAsync("scope-cache-committee", AdminRole.CommitteeMember, Org.EstateA2);
        var onB = await B.AdminClientAsync("scope-cache-committee");
        var fund = $"/api/v1/admin/estates/{Org.EstateA2}/fund";
        await AssertSeenTwiceAsync(onB, fund);

        // Through Identity's and the console's path: the role assignment deleted in a transaction of its own.
        await using (var db = A.SystemDb())
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.RoleAssignments.RemoveRange(await db.RoleAssignments.Where(r => r.AdminUserId == adminId).ToListAsync());
            await db.SaveChangesAsync();
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(onB, fund)); // not yet committed: the old grant still holds
            await tx.CommitAsync();
        }

        Assert.NotEqual(HttpStatusCode.OK, await StatusAsync(onB, fund));
    }

    [Fact]
    public async Task An_ended_firm_contract_stops_working_on_the_next_request_on_the_other_instance()
    {
        long firmId;
        await using (var db = A.SystemDb())
        {
            var firm = new PropertyFirm { Name = "缓存测试物业" };
            db.PropertyFirms.Add(firm);
            await db.SaveChangesAsync();
            db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = Org.EstateA2, PropertyFirmId = firm.Id, From = new DateOnly(2020, 1, 1) });
            await db.SaveChangesAsync();
            firmId = firm.Id;
        }

        await NewAdminAsync("scope-cache-firm", AdminRole.FirmStaff, firmId);
        var onB = await B.AdminClientAsync("scope-cache-firm");
        var fund = $"/api/v1/admin/estates/{Org.EstateA2}/fund";
        await AssertSeenTwiceAsync(onB, fund);

        await using (var db = A.SystemDb())
        {
            var contract = await db.EstateFirmContracts.SingleAsync(c => c.PropertyFirmId == firmId);
            contract.To = new DateOnly(2021, 12, 31);
            await db.SaveChangesAsync();
        }

        Assert.NotEqual(HttpStatusCode.OK, await StatusAsync(onB, fund));
    }

    [Fact]
    public async Task A_cached_scope_is_never_wider_than_a_fresh_one()
    {
        var adminId = await NewAdminAsync("scope-cache-grid", AdminRole.GridWorker, Org.GridA2);
        var cache = B.Services.GetRequiredService<ScopeCache>();
        var resolver = B.Services.GetRequiredService<AccessScopeResolver>();
        var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(AuthClaims.Subject, adminId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new(AuthClaims.Kind, AuthClaims.AdminKind)], "test"));

        // Widen, narrow, widen, narrow through A, comparing B's cached answer with a fresh resolution each time.
        for (var round = 0; round < 4; round++)
        {
            await using (var db = A.SystemDb())
            {
                if (round % 2 == 0)
                {
                    db.RoleAssignments.Add(RoleAssignment.Create(adminId, AdminRole.CommitteeMember, Org.EstateB1));
                }
                else
                {
                    db.RoleAssignments.RemoveRange(await db.RoleAssignments.Where(r => r.AdminUserId == adminId && r.Role == AdminRole.CommitteeMember).ToListAsync());
                }

                await db.SaveChangesAsync();
            }

            var cached = await cache.ResolveAsync(user, default);
            var again = await cache.ResolveAsync(user, default);
            var fresh = await resolver.ResolveAsync(user, default);
            foreach (var seen in new[] { cached, again })
            {
                Assert.Subset(fresh.EstateIds.ToHashSet(), seen.EstateIds.ToHashSet());
                Assert.Subset(fresh.CommunityIds.ToHashSet(), seen.CommunityIds.ToHashSet());
                Assert.Subset((fresh.GridBuildingIds ?? []).ToHashSet(), (seen.GridBuildingIds ?? []).ToHashSet());
                Assert.Subset(fresh.AdminRoles.ToHashSet(), seen.AdminRoles.ToHashSet());
                Assert.Equal(fresh.Unrestricted, seen.Unrestricted);
            }

            Assert.Equal(round % 2 == 0, cached.EstateIds.Contains(Org.EstateB1));
        }
    }

    private async Task<long> NewAdminAsync(string name, AdminRole role, long? scopeId)
    {
        await using var scope = A.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
        var user = new AdminUser { UserName = name, DisplayName = name, LockoutEnabled = true };
        var result = await users.CreateAsync(user, TestOrg.Password);
        Assert.True(result.Succeeded);
        await using var db = A.SystemDb();
        db.RoleAssignments.Add(RoleAssignment.Create(user.Id, role, scopeId));
        await db.SaveChangesAsync();
        return user.Id;
    }
}
