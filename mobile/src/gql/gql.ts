/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    expiresIn\n    refreshToken\n    deviceToken\n    user {\n      id\n      email\n      roles\n    }\n  }\n": typeof types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation SignUp($input: RegisterInput!) {\n    signUp(input: $input) {\n      accepted\n      email\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation CompleteSignUp($input: CompleteSignUpInput!) {\n    completeSignUp(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.CompleteSignUpDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  fragment PlotCardFields on Plot {\n    id\n    code\n    areaM2\n    soil\n    sunExposure\n    status\n    pricePerSeasonCents\n    currency\n    farm {\n      id\n      name\n      locality\n    }\n  }\n": typeof types.PlotCardFieldsFragmentDoc,
    "\n  query FarmsMap($first: Int, $after: String) {\n    farms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          locality\n          description\n          location {\n            latitude\n            longitude\n          }\n          plots {\n            id\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.FarmsMapDocument,
    "\n  query AvailablePlots($filter: PlotSearchInput, $first: Int, $after: String) {\n    availablePlots(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        distanceKm\n        node {\n          ...PlotCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AvailablePlotsDocument,
    "\n  query PlotDetail($id: ID!) {\n    plot(id: $id) {\n      ...PlotCardFields\n      photos\n      farm {\n        id\n        name\n        description\n        locality\n        openingSeason {\n          startMonth\n          endMonth\n        }\n        location {\n          latitude\n          longitude\n        }\n      }\n    }\n  }\n": typeof types.PlotDetailDocument,
    "\n  mutation RequestRental($plotId: ID!, $startsOn: Date!, $endsOn: Date!) {\n    requestRental(plotId: $plotId, startsOn: $startsOn, endsOn: $endsOn) {\n      ...RentalCardFields\n    }\n  }\n": typeof types.RequestRentalDocument,
    "\n  fragment RentalCardFields on Rental {\n    id\n    status\n    startsOn\n    endsOn\n    priceCents\n    currency\n    plot {\n      id\n      code\n      areaM2\n      status\n      farm {\n        id\n        name\n        locality\n      }\n    }\n  }\n": typeof types.RentalCardFieldsFragmentDoc,
    "\n  query MyRentals($first: Int, $after: String) {\n    myRentals(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RentalCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyRentalsDocument,
    "\n  fragment TaskFields on Task {\n    id\n    kind\n    title\n    dueOn\n    status\n    notes\n    completedAt\n    generated\n    crop {\n      id\n      name\n    }\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  fragment PlanFields on PlantingPlan {\n    id\n    version\n    notes\n    updatedAt\n    items {\n      crop {\n        id\n        name\n        variety\n      }\n      share\n      areaM2\n      plantCount\n      sowOn\n      harvestOn\n      expectedYieldKg\n    }\n  }\n": typeof types.PlanFieldsFragmentDoc,
    "\n  query RentalDetail($id: ID!) {\n    rental(id: $id) {\n      ...RentalCardFields\n      plan {\n        ...PlanFields\n      }\n      tasks(first: 20) {\n        edges {\n          cursor\n          node {\n            ...TaskFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      harvests(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            weightKg\n            harvestedOn\n            crop {\n              id\n              name\n            }\n            delivery {\n              id\n              status\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      deliveries(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            addressText\n            scheduledFor\n            note\n            updatedAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.RentalDetailDocument,
    "\n  query PlotCameras($plotId: ID!) {\n    plot(id: $plotId) {\n      id\n      cameras {\n        id\n        name\n        health\n        public\n        stream {\n          id\n          status\n          viewers\n        }\n      }\n    }\n  }\n": typeof types.PlotCamerasDocument,
    "\n  query CameraTimelapses($cameraId: ID!) {\n    timelapses(cameraId: $cameraId, first: 7) {\n      id\n      day\n      durationSeconds\n      frameCount\n      playbackUrl\n    }\n  }\n": typeof types.CameraTimelapsesDocument,
    "\n  fragment ActivityFields on ActivityEvent {\n    id\n    kind\n    message\n    subjectId\n    createdAt\n  }\n": typeof types.ActivityFieldsFragmentDoc,
    "\n  query PlotActivity($plotId: ID!, $first: Int, $after: String) {\n    plot(id: $plotId) {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...ActivityFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.PlotActivityDocument,
    "\n  subscription OnPlotActivity($plotId: ID!, $after: String) {\n    plotActivity(plotId: $plotId, after: $after) {\n      ...ActivityFields\n      cursor\n    }\n  }\n": typeof types.OnPlotActivityDocument,
    "\n  query Crops {\n    crops {\n      id\n      name\n      variety\n      daysToMaturity\n      spacingCm\n      sowingMonths\n      expectedYieldKgPerM2\n    }\n  }\n": typeof types.CropsDocument,
    "\n  mutation SavePlantingPlan($input: PlantingPlanInput!) {\n    savePlantingPlan(input: $input) {\n      ...PlanFields\n      rental {\n        id\n        plan {\n          id\n        }\n      }\n    }\n  }\n": typeof types.SavePlantingPlanDocument,
    "\n  query CameraView($id: ID!) {\n    camera(id: $id) {\n      id\n      name\n      health\n      public\n      stream {\n        id\n        status\n        viewers\n        renditions\n        startedAt\n        lastError\n      }\n    }\n  }\n": typeof types.CameraViewDocument,
    "\n  query PlaybackUrl($streamId: ID!) {\n    playbackUrl(streamId: $streamId) {\n      url\n      expiresAt\n      stream {\n        id\n        status\n        viewers\n      }\n    }\n  }\n": typeof types.PlaybackUrlDocument,
    "\n  subscription OnStreamStatus($streamId: ID!, $after: String) {\n    streamStatusChanged(streamId: $streamId, after: $after) {\n      cursor\n      id\n      status\n      renditions\n      startedAt\n      lastError\n    }\n  }\n": typeof types.OnStreamStatusDocument,
    "\n  subscription OnViewerCount($streamId: ID!) {\n    viewerCount(streamId: $streamId)\n  }\n": typeof types.OnViewerCountDocument,
    "\n  mutation Heartbeat($streamId: ID!) {\n    heartbeat(streamId: $streamId)\n  }\n": typeof types.HeartbeatDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    body\n    link\n    read\n    readAt\n    createdAt\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  query Notifications($first: Int, $after: String) {\n    notifications(first: $first, after: $after) {\n      unreadCount\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  subscription OnNotificationAdded($after: String) {\n    notificationAdded(after: $after) {\n      ...NotificationFields\n      cursor\n    }\n  }\n": typeof types.OnNotificationAddedDocument,
    "\n  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {\n    markNotificationsRead(input: $input) {\n      updatedCount\n      unreadCount\n    }\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  fragment AddressFields on DeliveryAddress {\n    id\n    label\n    recipientName\n    line1\n    line2\n    postalCode\n    city\n    region\n    countryCode\n    phone\n    instructions\n    isDefault\n  }\n": typeof types.AddressFieldsFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      email\n      roles\n      displayName\n      avatarUrl\n      locale\n      timeZone\n      phone\n      addresses {\n        ...AddressFields\n      }\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      phone\n      locale\n      timeZone\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation CreateDeliveryAddress($input: DeliveryAddressInput!) {\n    createDeliveryAddress(input: $input) {\n      ...AddressFields\n    }\n  }\n": typeof types.CreateDeliveryAddressDocument,
    "\n  mutation DeleteDeliveryAddress($id: ID!) {\n    deleteDeliveryAddress(id: $id)\n  }\n": typeof types.DeleteDeliveryAddressDocument,
    "\n  mutation SetDefaultDeliveryAddress($id: ID!) {\n    setDefaultDeliveryAddress(id: $id) {\n      id\n      isDefault\n    }\n  }\n": typeof types.SetDefaultDeliveryAddressDocument,
    "\n  query CameraRecordings($cameraId: ID!) {\n    recordings(cameraId: $cameraId, first: 10) {\n      id\n      startedAt\n      endedAt\n      durationSeconds\n      renditions\n      playbackUrl\n    }\n  }\n": typeof types.CameraRecordingsDocument,
    "\n  query SocialProviders {\n    socialProviders {\n      provider\n      displayName\n    }\n  }\n": typeof types.SocialProvidersDocument,
    "\n  mutation StartSocialSignIn($provider: SocialProvider!, $redirectUri: String!) {\n    startSocialSignIn(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n    }\n  }\n": typeof types.StartSocialSignInDocument,
    "\n  mutation CompleteSocialSignIn($input: CompleteSocialSignInInput!) {\n    completeSocialSignIn(input: $input) {\n      status\n      provider\n      ticket\n      email\n      auth {\n        ...AuthPayloadFields\n      }\n    }\n  }\n": typeof types.CompleteSocialSignInDocument,
    "\n  mutation ProveSocialLinkWithPassword($ticket: String!, $password: String!) {\n    proveSocialLinkWithPassword(ticket: $ticket, password: $password) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.ProveSocialLinkWithPasswordDocument,
    "\n  mutation SendSocialLinkCode($ticket: String!, $email: String) {\n    sendSocialLinkCode(ticket: $ticket, email: $email)\n  }\n": typeof types.SendSocialLinkCodeDocument,
    "\n  mutation ConfirmSocialLink($code: String!) {\n    confirmSocialLink(code: $code) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.ConfirmSocialLinkDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": typeof types.DeleteAccountDocument,
    "\n  mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {\n    registerPushDevice(input: $input) {\n      id\n      platform\n      lastSeenAt\n    }\n  }\n": typeof types.RegisterPushDeviceDocument,
    "\n  mutation UnregisterPushDevice($token: String!) {\n    unregisterPushDevice(token: $token)\n  }\n": typeof types.UnregisterPushDeviceDocument,
    "\n  query NotificationPreferences {\n    me {\n      id\n      notificationPreferences {\n        kind\n        email\n        push\n        inApp\n      }\n    }\n  }\n": typeof types.NotificationPreferencesDocument,
    "\n  mutation UpdateNotificationPreference($input: NotificationPreferenceInput!) {\n    updateNotificationPreference(input: $input) {\n      kind\n      email\n      push\n      inApp\n    }\n  }\n": typeof types.UpdateNotificationPreferenceDocument,
};
const documents: Documents = {
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    expiresIn\n    refreshToken\n    deviceToken\n    user {\n      id\n      email\n      roles\n    }\n  }\n": types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation SignUp($input: RegisterInput!) {\n    signUp(input: $input) {\n      accepted\n      email\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation CompleteSignUp($input: CompleteSignUpInput!) {\n    completeSignUp(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.CompleteSignUpDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  fragment PlotCardFields on Plot {\n    id\n    code\n    areaM2\n    soil\n    sunExposure\n    status\n    pricePerSeasonCents\n    currency\n    farm {\n      id\n      name\n      locality\n    }\n  }\n": types.PlotCardFieldsFragmentDoc,
    "\n  query FarmsMap($first: Int, $after: String) {\n    farms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          locality\n          description\n          location {\n            latitude\n            longitude\n          }\n          plots {\n            id\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.FarmsMapDocument,
    "\n  query AvailablePlots($filter: PlotSearchInput, $first: Int, $after: String) {\n    availablePlots(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        distanceKm\n        node {\n          ...PlotCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AvailablePlotsDocument,
    "\n  query PlotDetail($id: ID!) {\n    plot(id: $id) {\n      ...PlotCardFields\n      photos\n      farm {\n        id\n        name\n        description\n        locality\n        openingSeason {\n          startMonth\n          endMonth\n        }\n        location {\n          latitude\n          longitude\n        }\n      }\n    }\n  }\n": types.PlotDetailDocument,
    "\n  mutation RequestRental($plotId: ID!, $startsOn: Date!, $endsOn: Date!) {\n    requestRental(plotId: $plotId, startsOn: $startsOn, endsOn: $endsOn) {\n      ...RentalCardFields\n    }\n  }\n": types.RequestRentalDocument,
    "\n  fragment RentalCardFields on Rental {\n    id\n    status\n    startsOn\n    endsOn\n    priceCents\n    currency\n    plot {\n      id\n      code\n      areaM2\n      status\n      farm {\n        id\n        name\n        locality\n      }\n    }\n  }\n": types.RentalCardFieldsFragmentDoc,
    "\n  query MyRentals($first: Int, $after: String) {\n    myRentals(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RentalCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MyRentalsDocument,
    "\n  fragment TaskFields on Task {\n    id\n    kind\n    title\n    dueOn\n    status\n    notes\n    completedAt\n    generated\n    crop {\n      id\n      name\n    }\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  fragment PlanFields on PlantingPlan {\n    id\n    version\n    notes\n    updatedAt\n    items {\n      crop {\n        id\n        name\n        variety\n      }\n      share\n      areaM2\n      plantCount\n      sowOn\n      harvestOn\n      expectedYieldKg\n    }\n  }\n": types.PlanFieldsFragmentDoc,
    "\n  query RentalDetail($id: ID!) {\n    rental(id: $id) {\n      ...RentalCardFields\n      plan {\n        ...PlanFields\n      }\n      tasks(first: 20) {\n        edges {\n          cursor\n          node {\n            ...TaskFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      harvests(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            weightKg\n            harvestedOn\n            crop {\n              id\n              name\n            }\n            delivery {\n              id\n              status\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      deliveries(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            addressText\n            scheduledFor\n            note\n            updatedAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.RentalDetailDocument,
    "\n  query PlotCameras($plotId: ID!) {\n    plot(id: $plotId) {\n      id\n      cameras {\n        id\n        name\n        health\n        public\n        stream {\n          id\n          status\n          viewers\n        }\n      }\n    }\n  }\n": types.PlotCamerasDocument,
    "\n  query CameraTimelapses($cameraId: ID!) {\n    timelapses(cameraId: $cameraId, first: 7) {\n      id\n      day\n      durationSeconds\n      frameCount\n      playbackUrl\n    }\n  }\n": types.CameraTimelapsesDocument,
    "\n  fragment ActivityFields on ActivityEvent {\n    id\n    kind\n    message\n    subjectId\n    createdAt\n  }\n": types.ActivityFieldsFragmentDoc,
    "\n  query PlotActivity($plotId: ID!, $first: Int, $after: String) {\n    plot(id: $plotId) {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...ActivityFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.PlotActivityDocument,
    "\n  subscription OnPlotActivity($plotId: ID!, $after: String) {\n    plotActivity(plotId: $plotId, after: $after) {\n      ...ActivityFields\n      cursor\n    }\n  }\n": types.OnPlotActivityDocument,
    "\n  query Crops {\n    crops {\n      id\n      name\n      variety\n      daysToMaturity\n      spacingCm\n      sowingMonths\n      expectedYieldKgPerM2\n    }\n  }\n": types.CropsDocument,
    "\n  mutation SavePlantingPlan($input: PlantingPlanInput!) {\n    savePlantingPlan(input: $input) {\n      ...PlanFields\n      rental {\n        id\n        plan {\n          id\n        }\n      }\n    }\n  }\n": types.SavePlantingPlanDocument,
    "\n  query CameraView($id: ID!) {\n    camera(id: $id) {\n      id\n      name\n      health\n      public\n      stream {\n        id\n        status\n        viewers\n        renditions\n        startedAt\n        lastError\n      }\n    }\n  }\n": types.CameraViewDocument,
    "\n  query PlaybackUrl($streamId: ID!) {\n    playbackUrl(streamId: $streamId) {\n      url\n      expiresAt\n      stream {\n        id\n        status\n        viewers\n      }\n    }\n  }\n": types.PlaybackUrlDocument,
    "\n  subscription OnStreamStatus($streamId: ID!, $after: String) {\n    streamStatusChanged(streamId: $streamId, after: $after) {\n      cursor\n      id\n      status\n      renditions\n      startedAt\n      lastError\n    }\n  }\n": types.OnStreamStatusDocument,
    "\n  subscription OnViewerCount($streamId: ID!) {\n    viewerCount(streamId: $streamId)\n  }\n": types.OnViewerCountDocument,
    "\n  mutation Heartbeat($streamId: ID!) {\n    heartbeat(streamId: $streamId)\n  }\n": types.HeartbeatDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    body\n    link\n    read\n    readAt\n    createdAt\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  query Notifications($first: Int, $after: String) {\n    notifications(first: $first, after: $after) {\n      unreadCount\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.NotificationsDocument,
    "\n  subscription OnNotificationAdded($after: String) {\n    notificationAdded(after: $after) {\n      ...NotificationFields\n      cursor\n    }\n  }\n": types.OnNotificationAddedDocument,
    "\n  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {\n    markNotificationsRead(input: $input) {\n      updatedCount\n      unreadCount\n    }\n  }\n": types.MarkNotificationsReadDocument,
    "\n  fragment AddressFields on DeliveryAddress {\n    id\n    label\n    recipientName\n    line1\n    line2\n    postalCode\n    city\n    region\n    countryCode\n    phone\n    instructions\n    isDefault\n  }\n": types.AddressFieldsFragmentDoc,
    "\n  query Profile {\n    me {\n      id\n      email\n      roles\n      displayName\n      avatarUrl\n      locale\n      timeZone\n      phone\n      addresses {\n        ...AddressFields\n      }\n    }\n  }\n": types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      phone\n      locale\n      timeZone\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation CreateDeliveryAddress($input: DeliveryAddressInput!) {\n    createDeliveryAddress(input: $input) {\n      ...AddressFields\n    }\n  }\n": types.CreateDeliveryAddressDocument,
    "\n  mutation DeleteDeliveryAddress($id: ID!) {\n    deleteDeliveryAddress(id: $id)\n  }\n": types.DeleteDeliveryAddressDocument,
    "\n  mutation SetDefaultDeliveryAddress($id: ID!) {\n    setDefaultDeliveryAddress(id: $id) {\n      id\n      isDefault\n    }\n  }\n": types.SetDefaultDeliveryAddressDocument,
    "\n  query CameraRecordings($cameraId: ID!) {\n    recordings(cameraId: $cameraId, first: 10) {\n      id\n      startedAt\n      endedAt\n      durationSeconds\n      renditions\n      playbackUrl\n    }\n  }\n": types.CameraRecordingsDocument,
    "\n  query SocialProviders {\n    socialProviders {\n      provider\n      displayName\n    }\n  }\n": types.SocialProvidersDocument,
    "\n  mutation StartSocialSignIn($provider: SocialProvider!, $redirectUri: String!) {\n    startSocialSignIn(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n    }\n  }\n": types.StartSocialSignInDocument,
    "\n  mutation CompleteSocialSignIn($input: CompleteSocialSignInInput!) {\n    completeSocialSignIn(input: $input) {\n      status\n      provider\n      ticket\n      email\n      auth {\n        ...AuthPayloadFields\n      }\n    }\n  }\n": types.CompleteSocialSignInDocument,
    "\n  mutation ProveSocialLinkWithPassword($ticket: String!, $password: String!) {\n    proveSocialLinkWithPassword(ticket: $ticket, password: $password) {\n      ...AuthPayloadFields\n    }\n  }\n": types.ProveSocialLinkWithPasswordDocument,
    "\n  mutation SendSocialLinkCode($ticket: String!, $email: String) {\n    sendSocialLinkCode(ticket: $ticket, email: $email)\n  }\n": types.SendSocialLinkCodeDocument,
    "\n  mutation ConfirmSocialLink($code: String!) {\n    confirmSocialLink(code: $code) {\n      ...AuthPayloadFields\n    }\n  }\n": types.ConfirmSocialLinkDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n": types.ResetPasswordDocument,
    "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n": types.DeleteAccountDocument,
    "\n  mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {\n    registerPushDevice(input: $input) {\n      id\n      platform\n      lastSeenAt\n    }\n  }\n": types.RegisterPushDeviceDocument,
    "\n  mutation UnregisterPushDevice($token: String!) {\n    unregisterPushDevice(token: $token)\n  }\n": types.UnregisterPushDeviceDocument,
    "\n  query NotificationPreferences {\n    me {\n      id\n      notificationPreferences {\n        kind\n        email\n        push\n        inApp\n      }\n    }\n  }\n": types.NotificationPreferencesDocument,
    "\n  mutation UpdateNotificationPreference($input: NotificationPreferenceInput!) {\n    updateNotificationPreference(input: $input) {\n      kind\n      email\n      push\n      inApp\n    }\n  }\n": types.UpdateNotificationPreferenceDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    expiresIn\n    refreshToken\n    deviceToken\n    user {\n      id\n      email\n      roles\n    }\n  }\n"): (typeof documents)["\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    expiresIn\n    refreshToken\n    deviceToken\n    user {\n      id\n      email\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: RegisterInput!) {\n    signUp(input: $input) {\n      accepted\n      email\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: RegisterInput!) {\n    signUp(input: $input) {\n      accepted\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteSignUp($input: CompleteSignUpInput!) {\n    completeSignUp(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteSignUp($input: CompleteSignUpInput!) {\n    completeSignUp(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlotCardFields on Plot {\n    id\n    code\n    areaM2\n    soil\n    sunExposure\n    status\n    pricePerSeasonCents\n    currency\n    farm {\n      id\n      name\n      locality\n    }\n  }\n"): (typeof documents)["\n  fragment PlotCardFields on Plot {\n    id\n    code\n    areaM2\n    soil\n    sunExposure\n    status\n    pricePerSeasonCents\n    currency\n    farm {\n      id\n      name\n      locality\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FarmsMap($first: Int, $after: String) {\n    farms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          locality\n          description\n          location {\n            latitude\n            longitude\n          }\n          plots {\n            id\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query FarmsMap($first: Int, $after: String) {\n    farms(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          locality\n          description\n          location {\n            latitude\n            longitude\n          }\n          plots {\n            id\n            status\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AvailablePlots($filter: PlotSearchInput, $first: Int, $after: String) {\n    availablePlots(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        distanceKm\n        node {\n          ...PlotCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AvailablePlots($filter: PlotSearchInput, $first: Int, $after: String) {\n    availablePlots(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        distanceKm\n        node {\n          ...PlotCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlotDetail($id: ID!) {\n    plot(id: $id) {\n      ...PlotCardFields\n      photos\n      farm {\n        id\n        name\n        description\n        locality\n        openingSeason {\n          startMonth\n          endMonth\n        }\n        location {\n          latitude\n          longitude\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PlotDetail($id: ID!) {\n    plot(id: $id) {\n      ...PlotCardFields\n      photos\n      farm {\n        id\n        name\n        description\n        locality\n        openingSeason {\n          startMonth\n          endMonth\n        }\n        location {\n          latitude\n          longitude\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestRental($plotId: ID!, $startsOn: Date!, $endsOn: Date!) {\n    requestRental(plotId: $plotId, startsOn: $startsOn, endsOn: $endsOn) {\n      ...RentalCardFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestRental($plotId: ID!, $startsOn: Date!, $endsOn: Date!) {\n    requestRental(plotId: $plotId, startsOn: $startsOn, endsOn: $endsOn) {\n      ...RentalCardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RentalCardFields on Rental {\n    id\n    status\n    startsOn\n    endsOn\n    priceCents\n    currency\n    plot {\n      id\n      code\n      areaM2\n      status\n      farm {\n        id\n        name\n        locality\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RentalCardFields on Rental {\n    id\n    status\n    startsOn\n    endsOn\n    priceCents\n    currency\n    plot {\n      id\n      code\n      areaM2\n      status\n      farm {\n        id\n        name\n        locality\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRentals($first: Int, $after: String) {\n    myRentals(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RentalCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyRentals($first: Int, $after: String) {\n    myRentals(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...RentalCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    id\n    kind\n    title\n    dueOn\n    status\n    notes\n    completedAt\n    generated\n    crop {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment TaskFields on Task {\n    id\n    kind\n    title\n    dueOn\n    status\n    notes\n    completedAt\n    generated\n    crop {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlanFields on PlantingPlan {\n    id\n    version\n    notes\n    updatedAt\n    items {\n      crop {\n        id\n        name\n        variety\n      }\n      share\n      areaM2\n      plantCount\n      sowOn\n      harvestOn\n      expectedYieldKg\n    }\n  }\n"): (typeof documents)["\n  fragment PlanFields on PlantingPlan {\n    id\n    version\n    notes\n    updatedAt\n    items {\n      crop {\n        id\n        name\n        variety\n      }\n      share\n      areaM2\n      plantCount\n      sowOn\n      harvestOn\n      expectedYieldKg\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RentalDetail($id: ID!) {\n    rental(id: $id) {\n      ...RentalCardFields\n      plan {\n        ...PlanFields\n      }\n      tasks(first: 20) {\n        edges {\n          cursor\n          node {\n            ...TaskFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      harvests(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            weightKg\n            harvestedOn\n            crop {\n              id\n              name\n            }\n            delivery {\n              id\n              status\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      deliveries(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            addressText\n            scheduledFor\n            note\n            updatedAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RentalDetail($id: ID!) {\n    rental(id: $id) {\n      ...RentalCardFields\n      plan {\n        ...PlanFields\n      }\n      tasks(first: 20) {\n        edges {\n          cursor\n          node {\n            ...TaskFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      harvests(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            weightKg\n            harvestedOn\n            crop {\n              id\n              name\n            }\n            delivery {\n              id\n              status\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n      deliveries(first: 20) {\n        edges {\n          cursor\n          node {\n            id\n            status\n            addressText\n            scheduledFor\n            note\n            updatedAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlotCameras($plotId: ID!) {\n    plot(id: $plotId) {\n      id\n      cameras {\n        id\n        name\n        health\n        public\n        stream {\n          id\n          status\n          viewers\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PlotCameras($plotId: ID!) {\n    plot(id: $plotId) {\n      id\n      cameras {\n        id\n        name\n        health\n        public\n        stream {\n          id\n          status\n          viewers\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CameraTimelapses($cameraId: ID!) {\n    timelapses(cameraId: $cameraId, first: 7) {\n      id\n      day\n      durationSeconds\n      frameCount\n      playbackUrl\n    }\n  }\n"): (typeof documents)["\n  query CameraTimelapses($cameraId: ID!) {\n    timelapses(cameraId: $cameraId, first: 7) {\n      id\n      day\n      durationSeconds\n      frameCount\n      playbackUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ActivityFields on ActivityEvent {\n    id\n    kind\n    message\n    subjectId\n    createdAt\n  }\n"): (typeof documents)["\n  fragment ActivityFields on ActivityEvent {\n    id\n    kind\n    message\n    subjectId\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlotActivity($plotId: ID!, $first: Int, $after: String) {\n    plot(id: $plotId) {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...ActivityFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PlotActivity($plotId: ID!, $first: Int, $after: String) {\n    plot(id: $plotId) {\n      id\n      activity(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...ActivityFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnPlotActivity($plotId: ID!, $after: String) {\n    plotActivity(plotId: $plotId, after: $after) {\n      ...ActivityFields\n      cursor\n    }\n  }\n"): (typeof documents)["\n  subscription OnPlotActivity($plotId: ID!, $after: String) {\n    plotActivity(plotId: $plotId, after: $after) {\n      ...ActivityFields\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Crops {\n    crops {\n      id\n      name\n      variety\n      daysToMaturity\n      spacingCm\n      sowingMonths\n      expectedYieldKgPerM2\n    }\n  }\n"): (typeof documents)["\n  query Crops {\n    crops {\n      id\n      name\n      variety\n      daysToMaturity\n      spacingCm\n      sowingMonths\n      expectedYieldKgPerM2\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SavePlantingPlan($input: PlantingPlanInput!) {\n    savePlantingPlan(input: $input) {\n      ...PlanFields\n      rental {\n        id\n        plan {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SavePlantingPlan($input: PlantingPlanInput!) {\n    savePlantingPlan(input: $input) {\n      ...PlanFields\n      rental {\n        id\n        plan {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CameraView($id: ID!) {\n    camera(id: $id) {\n      id\n      name\n      health\n      public\n      stream {\n        id\n        status\n        viewers\n        renditions\n        startedAt\n        lastError\n      }\n    }\n  }\n"): (typeof documents)["\n  query CameraView($id: ID!) {\n    camera(id: $id) {\n      id\n      name\n      health\n      public\n      stream {\n        id\n        status\n        viewers\n        renditions\n        startedAt\n        lastError\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlaybackUrl($streamId: ID!) {\n    playbackUrl(streamId: $streamId) {\n      url\n      expiresAt\n      stream {\n        id\n        status\n        viewers\n      }\n    }\n  }\n"): (typeof documents)["\n  query PlaybackUrl($streamId: ID!) {\n    playbackUrl(streamId: $streamId) {\n      url\n      expiresAt\n      stream {\n        id\n        status\n        viewers\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnStreamStatus($streamId: ID!, $after: String) {\n    streamStatusChanged(streamId: $streamId, after: $after) {\n      cursor\n      id\n      status\n      renditions\n      startedAt\n      lastError\n    }\n  }\n"): (typeof documents)["\n  subscription OnStreamStatus($streamId: ID!, $after: String) {\n    streamStatusChanged(streamId: $streamId, after: $after) {\n      cursor\n      id\n      status\n      renditions\n      startedAt\n      lastError\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnViewerCount($streamId: ID!) {\n    viewerCount(streamId: $streamId)\n  }\n"): (typeof documents)["\n  subscription OnViewerCount($streamId: ID!) {\n    viewerCount(streamId: $streamId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Heartbeat($streamId: ID!) {\n    heartbeat(streamId: $streamId)\n  }\n"): (typeof documents)["\n  mutation Heartbeat($streamId: ID!) {\n    heartbeat(streamId: $streamId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    body\n    link\n    read\n    readAt\n    createdAt\n  }\n"): (typeof documents)["\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    body\n    link\n    read\n    readAt\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($first: Int, $after: String) {\n    notifications(first: $first, after: $after) {\n      unreadCount\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Notifications($first: Int, $after: String) {\n    notifications(first: $first, after: $after) {\n      unreadCount\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnNotificationAdded($after: String) {\n    notificationAdded(after: $after) {\n      ...NotificationFields\n      cursor\n    }\n  }\n"): (typeof documents)["\n  subscription OnNotificationAdded($after: String) {\n    notificationAdded(after: $after) {\n      ...NotificationFields\n      cursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {\n    markNotificationsRead(input: $input) {\n      updatedCount\n      unreadCount\n    }\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {\n    markNotificationsRead(input: $input) {\n      updatedCount\n      unreadCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AddressFields on DeliveryAddress {\n    id\n    label\n    recipientName\n    line1\n    line2\n    postalCode\n    city\n    region\n    countryCode\n    phone\n    instructions\n    isDefault\n  }\n"): (typeof documents)["\n  fragment AddressFields on DeliveryAddress {\n    id\n    label\n    recipientName\n    line1\n    line2\n    postalCode\n    city\n    region\n    countryCode\n    phone\n    instructions\n    isDefault\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      id\n      email\n      roles\n      displayName\n      avatarUrl\n      locale\n      timeZone\n      phone\n      addresses {\n        ...AddressFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      id\n      email\n      roles\n      displayName\n      avatarUrl\n      locale\n      timeZone\n      phone\n      addresses {\n        ...AddressFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      phone\n      locale\n      timeZone\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      phone\n      locale\n      timeZone\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDeliveryAddress($input: DeliveryAddressInput!) {\n    createDeliveryAddress(input: $input) {\n      ...AddressFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDeliveryAddress($input: DeliveryAddressInput!) {\n    createDeliveryAddress(input: $input) {\n      ...AddressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDeliveryAddress($id: ID!) {\n    deleteDeliveryAddress(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteDeliveryAddress($id: ID!) {\n    deleteDeliveryAddress(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDefaultDeliveryAddress($id: ID!) {\n    setDefaultDeliveryAddress(id: $id) {\n      id\n      isDefault\n    }\n  }\n"): (typeof documents)["\n  mutation SetDefaultDeliveryAddress($id: ID!) {\n    setDefaultDeliveryAddress(id: $id) {\n      id\n      isDefault\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CameraRecordings($cameraId: ID!) {\n    recordings(cameraId: $cameraId, first: 10) {\n      id\n      startedAt\n      endedAt\n      durationSeconds\n      renditions\n      playbackUrl\n    }\n  }\n"): (typeof documents)["\n  query CameraRecordings($cameraId: ID!) {\n    recordings(cameraId: $cameraId, first: 10) {\n      id\n      startedAt\n      endedAt\n      durationSeconds\n      renditions\n      playbackUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SocialProviders {\n    socialProviders {\n      provider\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query SocialProviders {\n    socialProviders {\n      provider\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartSocialSignIn($provider: SocialProvider!, $redirectUri: String!) {\n    startSocialSignIn(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n    }\n  }\n"): (typeof documents)["\n  mutation StartSocialSignIn($provider: SocialProvider!, $redirectUri: String!) {\n    startSocialSignIn(provider: $provider, redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteSocialSignIn($input: CompleteSocialSignInInput!) {\n    completeSocialSignIn(input: $input) {\n      status\n      provider\n      ticket\n      email\n      auth {\n        ...AuthPayloadFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteSocialSignIn($input: CompleteSocialSignInInput!) {\n    completeSocialSignIn(input: $input) {\n      status\n      provider\n      ticket\n      email\n      auth {\n        ...AuthPayloadFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProveSocialLinkWithPassword($ticket: String!, $password: String!) {\n    proveSocialLinkWithPassword(ticket: $ticket, password: $password) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation ProveSocialLinkWithPassword($ticket: String!, $password: String!) {\n    proveSocialLinkWithPassword(ticket: $ticket, password: $password) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendSocialLinkCode($ticket: String!, $email: String) {\n    sendSocialLinkCode(ticket: $ticket, email: $email)\n  }\n"): (typeof documents)["\n  mutation SendSocialLinkCode($ticket: String!, $email: String) {\n    sendSocialLinkCode(ticket: $ticket, email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmSocialLink($code: String!) {\n    confirmSocialLink(code: $code) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmSocialLink($code: String!) {\n    confirmSocialLink(code: $code) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($input: ResetPasswordInput!) {\n    resetPassword(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"): (typeof documents)["\n  mutation DeleteAccount($password: String!) {\n    deleteAccount(password: $password)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {\n    registerPushDevice(input: $input) {\n      id\n      platform\n      lastSeenAt\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPushDevice($input: RegisterPushDeviceInput!) {\n    registerPushDevice(input: $input) {\n      id\n      platform\n      lastSeenAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnregisterPushDevice($token: String!) {\n    unregisterPushDevice(token: $token)\n  }\n"): (typeof documents)["\n  mutation UnregisterPushDevice($token: String!) {\n    unregisterPushDevice(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationPreferences {\n    me {\n      id\n      notificationPreferences {\n        kind\n        email\n        push\n        inApp\n      }\n    }\n  }\n"): (typeof documents)["\n  query NotificationPreferences {\n    me {\n      id\n      notificationPreferences {\n        kind\n        email\n        push\n        inApp\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNotificationPreference($input: NotificationPreferenceInput!) {\n    updateNotificationPreference(input: $input) {\n      kind\n      email\n      push\n      inApp\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateNotificationPreference($input: NotificationPreferenceInput!) {\n    updateNotificationPreference(input: $input) {\n      kind\n      email\n      push\n      inApp\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;