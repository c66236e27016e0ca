using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RepairPhotosEscalationOpen311 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(
                name: "ReporterId",
                table: "Repairs",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AddColumn<int>(
                name: "EscalationLevel",
                table: "Repairs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ExternalContact",
                table: "Repairs",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastEscalatedAt",
                table: "Repairs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Latitude",
                table: "Repairs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "Longitude",
                table: "Repairs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "Repairs",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "UpdatedAt",
                table: "Repairs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "Open311ApiKeys",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    KeyHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Open311ApiKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Open311ApiKeys_Estates_EstateId",
                        column: x => x.EstateId,
                        principalTable: "Estates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RepairEscalations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepairId = table.Column<long>(type: "INTEGER", nullable: false),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    AdminUserId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RepairEscalations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RepairEscalations_AdminUsers_AdminUserId",
                        column: x => x.AdminUserId,
                        principalTable: "AdminUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RepairEscalations_Repairs_RepairId",
                        column: x => x.RepairId,
                        principalTable: "Repairs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StoredFiles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UploadedByResidentId = table.Column<long>(type: "INTEGER", nullable: true),
                    UploadedByAdminId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StoredFiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RepairPhotos",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RepairId = table.Column<long>(type: "INTEGER", nullable: false),
                    FileId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Stage = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RepairPhotos", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RepairPhotos_Repairs_RepairId",
                        column: x => x.RepairId,
                        principalTable: "Repairs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RepairPhotos_StoredFiles_FileId",
                        column: x => x.FileId,
                        principalTable: "StoredFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_EstateId_CreatedAt",
                table: "Repairs",
                columns: new[] { "EstateId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_Status_DeadlineAt",
                table: "Repairs",
                columns: new[] { "Status", "DeadlineAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Open311ApiKeys_EstateId",
                table: "Open311ApiKeys",
                column: "EstateId");

            migrationBuilder.CreateIndex(
                name: "IX_Open311ApiKeys_KeyHash",
                table: "Open311ApiKeys",
                column: "KeyHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RepairEscalations_AdminUserId",
                table: "RepairEscalations",
                column: "AdminUserId");

            migrationBuilder.CreateIndex(
                name: "IX_RepairEscalations_RepairId_Level_AdminUserId",
                table: "RepairEscalations",
                columns: new[] { "RepairId", "Level", "AdminUserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RepairPhotos_FileId",
                table: "RepairPhotos",
                column: "FileId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RepairPhotos_RepairId",
                table: "RepairPhotos",
                column: "RepairId");

            migrationBuilder.CreateIndex(
                name: "IX_StoredFiles_UploadedByResidentId",
                table: "StoredFiles",
                column: "UploadedByResidentId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Open311ApiKeys");

            migrationBuilder.DropTable(
                name: "RepairEscalations");

            migrationBuilder.DropTable(
                name: "RepairPhotos");

            migrationBuilder.DropTable(
                name: "StoredFiles");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_EstateId_CreatedAt",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_Status_DeadlineAt",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "EscalationLevel",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "ExternalContact",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "LastEscalatedAt",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "Latitude",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "Longitude",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "Repairs");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "Repairs");

            migrationBuilder.AlterColumn<long>(
                name: "ReporterId",
                table: "Repairs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);
        }
    }
}
