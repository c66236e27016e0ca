using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OwnersDecide : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "HeldByDeveloper",
                table: "Households",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Notices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ScopeLevel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CommunityId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: true),
                    BuildingId = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    Pinned = table.Column<bool>(type: "INTEGER", nullable: false),
                    PublishAt = table.Column<long>(type: "INTEGER", nullable: false),
                    KeepUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    WithdrawnAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Notify = table.Column<bool>(type: "INTEGER", nullable: false),
                    NotifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RemindedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByAdminId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Topics",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Held = table.Column<bool>(type: "INTEGER", nullable: false),
                    AuthorResidentId = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorAdminId = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Supporters = table.Column<int>(type: "INTEGER", nullable: false),
                    ClassificationNote = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ClassifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: true),
                    RepairId = table.Column<long>(type: "INTEGER", nullable: true),
                    ServiceOrderId = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Topics", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Votes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    TopicId = table.Column<long>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    Rule = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    NoticeAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OpensAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosesAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByAdminId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VotersTotal = table.Column<int>(type: "INTEGER", nullable: false),
                    AreaTotalCenti = table.Column<long>(type: "INTEGER", nullable: false),
                    BallotsCast = table.Column<int>(type: "INTEGER", nullable: false),
                    AreaCastCenti = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClosedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Passed = table.Column<bool>(type: "INTEGER", nullable: true),
                    QuorumMet = table.Column<bool>(type: "INTEGER", nullable: true),
                    TallyLogId = table.Column<long>(type: "INTEGER", nullable: true),
                    TallySize = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelReason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AnnouncementNoticeId = table.Column<long>(type: "INTEGER", nullable: true),
                    ResultNoticeId = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Votes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "NoticeAttachments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NoticeId = table.Column<long>(type: "INTEGER", nullable: false),
                    FileId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NoticeAttachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NoticeAttachments_Notices_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "Notices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NoticeReads",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    NoticeId = table.Column<long>(type: "INTEGER", nullable: false),
                    ResidentId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NoticeReads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NoticeReads_Notices_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "Notices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TopicComments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TopicId = table.Column<long>(type: "INTEGER", nullable: false),
                    ResidentId = table.Column<long>(type: "INTEGER", nullable: true),
                    AdminId = table.Column<long>(type: "INTEGER", nullable: true),
                    AuthorName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Held = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TopicComments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TopicComments_Topics_TopicId",
                        column: x => x.TopicId,
                        principalTable: "Topics",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TopicSteps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TopicId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TopicSteps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TopicSteps_Topics_TopicId",
                        column: x => x.TopicId,
                        principalTable: "Topics",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TopicSupports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TopicId = table.Column<long>(type: "INTEGER", nullable: false),
                    ResidentId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TopicSupports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TopicSupports_Topics_TopicId",
                        column: x => x.TopicId,
                        principalTable: "Topics",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VoteOptions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Voters = table.Column<int>(type: "INTEGER", nullable: true),
                    AreaCenti = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VoteOptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VoteOptions_Votes_VoteId",
                        column: x => x.VoteId,
                        principalTable: "Votes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Voters",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Flats = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Owners = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    FlatCount = table.Column<int>(type: "INTEGER", nullable: false),
                    AreaCenti = table.Column<long>(type: "INTEGER", nullable: false),
                    IsDeveloper = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Voters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Voters_Votes_VoteId",
                        column: x => x.VoteId,
                        principalTable: "Votes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Ballots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    VoterId = table.Column<long>(type: "INTEGER", nullable: false),
                    OptionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CastAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Receipt = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AreaCenti = table.Column<long>(type: "INTEGER", nullable: false),
                    CastByResidentId = table.Column<long>(type: "INTEGER", nullable: true),
                    EnteredByAdminId = table.Column<long>(type: "INTEGER", nullable: true),
                    EnteredByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: true),
                    ProxyName = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    ScanFileId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Ballots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Ballots_VoteOptions_OptionId",
                        column: x => x.OptionId,
                        principalTable: "VoteOptions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Ballots_Votes_VoteId",
                        column: x => x.VoteId,
                        principalTable: "Votes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VoterFlats",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    VoterId = table.Column<long>(type: "INTEGER", nullable: false),
                    HouseholdId = table.Column<long>(type: "INTEGER", nullable: false),
                    AreaCenti = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VoterFlats", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VoterFlats_Voters_VoterId",
                        column: x => x.VoterId,
                        principalTable: "Voters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "VoterMembers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    VoteId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    VoterId = table.Column<long>(type: "INTEGER", nullable: false),
                    ResidentId = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VoterMembers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VoterMembers_Voters_VoterId",
                        column: x => x.VoterId,
                        principalTable: "Voters",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Ballots_OptionId",
                table: "Ballots",
                column: "OptionId");

            migrationBuilder.CreateIndex(
                name: "IX_Ballots_ScanFileId",
                table: "Ballots",
                column: "ScanFileId");

            migrationBuilder.CreateIndex(
                name: "IX_Ballots_VoteId_Receipt",
                table: "Ballots",
                columns: new[] { "VoteId", "Receipt" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Ballots_VoteId_VoterId",
                table: "Ballots",
                columns: new[] { "VoteId", "VoterId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NoticeAttachments_FileId",
                table: "NoticeAttachments",
                column: "FileId");

            migrationBuilder.CreateIndex(
                name: "IX_NoticeAttachments_NoticeId_FileId",
                table: "NoticeAttachments",
                columns: new[] { "NoticeId", "FileId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NoticeReads_NoticeId_ResidentId",
                table: "NoticeReads",
                columns: new[] { "NoticeId", "ResidentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notices_BuildingId_PublishAt",
                table: "Notices",
                columns: new[] { "BuildingId", "PublishAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Notices_CommunityId_PublishAt",
                table: "Notices",
                columns: new[] { "CommunityId", "PublishAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Notices_EstateId_PublishAt",
                table: "Notices",
                columns: new[] { "EstateId", "PublishAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Notices_VoteId",
                table: "Notices",
                column: "VoteId");

            migrationBuilder.CreateIndex(
                name: "IX_TopicComments_TopicId_CreatedAt",
                table: "TopicComments",
                columns: new[] { "TopicId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Topics_EstateId_Status_CreatedAt",
                table: "Topics",
                columns: new[] { "EstateId", "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Topics_VoteId",
                table: "Topics",
                column: "VoteId");

            migrationBuilder.CreateIndex(
                name: "IX_TopicSteps_TopicId_At",
                table: "TopicSteps",
                columns: new[] { "TopicId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_TopicSupports_TopicId_ResidentId",
                table: "TopicSupports",
                columns: new[] { "TopicId", "ResidentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VoteOptions_VoteId_Ordinal",
                table: "VoteOptions",
                columns: new[] { "VoteId", "Ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VoterFlats_VoteId_HouseholdId",
                table: "VoterFlats",
                columns: new[] { "VoteId", "HouseholdId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VoterFlats_VoterId",
                table: "VoterFlats",
                column: "VoterId");

            migrationBuilder.CreateIndex(
                name: "IX_VoterMembers_VoteId_ResidentId",
                table: "VoterMembers",
                columns: new[] { "VoteId", "ResidentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_VoterMembers_VoterId",
                table: "VoterMembers",
                column: "VoterId");

            migrationBuilder.CreateIndex(
                name: "IX_Voters_VoteId",
                table: "Voters",
                column: "VoteId");

            migrationBuilder.CreateIndex(
                name: "IX_Votes_CreatedByAdminId_IdempotencyKey",
                table: "Votes",
                columns: new[] { "CreatedByAdminId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Votes_EstateId_Status",
                table: "Votes",
                columns: new[] { "EstateId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Votes_Status_ClosesAt",
                table: "Votes",
                columns: new[] { "Status", "ClosesAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Ballots");

            migrationBuilder.DropTable(
                name: "NoticeAttachments");

            migrationBuilder.DropTable(
                name: "NoticeReads");

            migrationBuilder.DropTable(
                name: "TopicComments");

            migrationBuilder.DropTable(
                name: "TopicSteps");

            migrationBuilder.DropTable(
                name: "TopicSupports");

            migrationBuilder.DropTable(
                name: "VoterFlats");

            migrationBuilder.DropTable(
                name: "VoterMembers");

            migrationBuilder.DropTable(
                name: "VoteOptions");

            migrationBuilder.DropTable(
                name: "Notices");

            migrationBuilder.DropTable(
                name: "Topics");

            migrationBuilder.DropTable(
                name: "Voters");

            migrationBuilder.DropTable(
                name: "Votes");

            migrationBuilder.DropColumn(
                name: "HeldByDeveloper",
                table: "Households");
        }
    }
}
