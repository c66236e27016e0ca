using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.Events;

internal sealed class CommunityEventConfiguration : IEntityTypeConfiguration<CommunityEvent>
{
    public void Configure(EntityTypeBuilder<CommunityEvent> b)
    {
        b.ToTable("Events");
        b.Property(x => x.Title).HasMaxLength(100);
        b.Property(x => x.Description).HasMaxLength(4000);
        b.Property(x => x.CoverImageUrl).HasMaxLength(500);
        b.Property(x => x.Location).HasMaxLength(200);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.CommunityId, x.Status, x.StartsAt });
    }
}

internal sealed class EventSignupConfiguration : IEntityTypeConfiguration<EventSignup>
{
    public void Configure(EntityTypeBuilder<EventSignup> b)
    {
        b.ToTable("EventSignups");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        // One row per resident and event: signing up twice can never take a second seat.
        b.HasIndex(x => new { x.EventId, x.ResidentId }).IsUnique();
        b.HasIndex(x => new { x.EventId, x.Status, x.WaitlistTicket });
        // One waiting-list ticket per event: the order the Redis gate hands out is checked here too, so a gate
        // that lost or repeated state can never give two residents the same place in line (NULLs don't collide).
        b.HasIndex(x => new { x.EventId, x.WaitlistTicket }).IsUnique();
        b.HasIndex(x => x.ResidentId);
        b.HasOne<CommunityEvent>().WithMany().HasForeignKey(x => x.EventId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Restrict);
    }
}
