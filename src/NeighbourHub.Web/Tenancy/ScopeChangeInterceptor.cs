using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// Bumps <see cref="ScopeVersions"/> whenever a saved change can alter someone's <see cref="AccessScope"/>, in every
/// code path that writes through a context (API, console, jobs): a residence → its resident; a role assignment or an
/// admin account → that admin; an estate, building, grid, grid building or firm contract → everybody (rare changes).
/// <para>
/// The bump comes after the change is durable: after SaveChanges, and again after the commit when the save ran in a
/// transaction — a scope resolved between the save and the commit read the old rows and must not outlive the commit.
/// So the change's own request returns only once every instance will resolve afresh.
/// </para>
/// </summary>
public sealed class ScopeChangeInterceptor(ScopeVersions versions, ILogger<ScopeChangeInterceptor> log)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private sealed class Pending
    {
        public HashSet<ScopeOwner> Owners { get; } = [];
        public bool Everybody { get; set; }
    }

    // Changes seen while saving, per context, until bumped after the save and (if any) the transaction's commit.
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        AfterSaveAsync(eventData.Context).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await AfterSaveAsync(eventData.Context);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        AfterCommitAsync(eventData.Context).GetAwaiter().GetResult();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        AfterCommitAsync(eventData.Context);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? db)
    {
        if (db is null)
        {
            return;
        }

        Pending? pending = null;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case Residence r:
                    Add(ScopeOwner.Resident(r.ResidentId));
                    Add(ScopeOwner.Resident(Original<long>(entry, nameof(Residence.ResidentId))));
                    break;
                case RoleAssignment a:
                    Add(ScopeOwner.Admin(a.AdminUserId));
                    Add(ScopeOwner.Admin(Original<long>(entry, nameof(RoleAssignment.AdminUserId))));
                    break;
                case AdminUser u:
                    Add(ScopeOwner.Admin(u.Id));
                    break;
                case Estate or Building or Grid or GridBuilding or EstateFirmContract:
                    pending ??= _pending.GetOrCreateValue(db);
                    pending.Everybody = true;
                    break;
            }
        }

        void Add(ScopeOwner owner)
        {
            pending ??= _pending.GetOrCreateValue(db);
            pending.Owners.Add(owner);
        }
    }

    private static T Original<T>(EntityEntry entry, string property) =>
        entry.State == EntityState.Added ? (T)entry.Property(property).CurrentValue! : (T)entry.Property(property).OriginalValue!;

    private Task AfterSaveAsync(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending))
        {
            return Task.CompletedTask;
        }

        // Outside a transaction the save is the commit. Inside one, bump now too (harmless) and again at the commit.
        if (db.Database.CurrentTransaction is null)
        {
            _pending.Remove(db);
        }

        return BumpAsync(pending);
    }

    private Task AfterCommitAsync(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending))
        {
            return Task.CompletedTask;
        }

        _pending.Remove(db);
        return BumpAsync(pending);
    }

    private void Forget(DbContext? db)
    {
        if (db is not null)
        {
            _pending.Remove(db);
        }
    }

    private async Task BumpAsync(Pending pending)
    {
        try
        {
            await versions.BumpAsync(pending.Owners.ToList(), pending.Everybody);
        }
        catch (Exception e)
        {
            // The change is committed; other instances keep what they cached for at most ScopeCache.Lifetime (this one
            // forgets its own: RedisScopeVersions changes its local stamp).
            log.LogError(e, "Could not mark access scopes stale after a change; cached scopes expire within {Lifetime}.", ScopeCache.Lifetime);
        }
    }
}
