import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useFormat } from '../app-context';
import { isoDay, suggestSowDate } from '../dates';
import { CropsDocument, RentalDetailDocument, SavePlantingPlanDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Field, Loading, Screen } from '../ui/components';
import { DateField } from '../ui/DateField';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';

interface Choice {
  percent: string;
  sowOn: string;
}

/** Choose crops and their share of the plot; the farm schedules sowing, care and harvest from the plan. */
export function PlanScreen({ rentalId }: { rentalId: string }) {
  const nav = useNav();
  const f = useFormat();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  const crops = useQuery(CropsDocument);
  const rental = useQuery(RentalDetailDocument, { variables: { id: rentalId } });
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [notes, setNotes] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [save, saveState] = useMutation(SavePlantingPlanDocument, {
    refetchQueries: [{ query: RentalDetailDocument, variables: { id: rentalId } }],
    awaitRefetchQueries: true,
  });

  const plan = rental.data?.rental?.plan;
  useEffect(() => {
    if (!plan) return;
    setChoices(
      Object.fromEntries(
        plan.items.map((i) => [i.crop.id, { percent: String(Math.round(i.share * 100)), sowOn: i.sowOn }]),
      ),
    );
    setNotes(plan.notes);
  }, [plan]);

  if ((!crops.data && crops.loading) || (!rental.data && rental.loading)) return <Loading />;
  if (crops.error && !crops.data)
    return (
      <Screen>
        <ErrorView error={crops.error} onRetry={() => void crops.refetch()} />
      </Screen>
    );
  const list = crops.data?.crops ?? [];
  const today = isoDay(new Date());
  const startsOn = rental.data?.rental?.startsOn ?? today;
  const endsOn = rental.data?.rental?.endsOn ?? today;
  const from = startsOn > today ? startsOn : today;
  const total = Object.values(choices).reduce((sum, c) => sum + (Number(c.percent) || 0), 0);

  const submit = async () => {
    setProblem(null);
    const items = Object.entries(choices)
      .filter(([, c]) => Number(c.percent) > 0)
      .map(([cropId, c]) => ({ cropId, share: Number(c.percent) / 100, sowOn: c.sowOn }));
    if (items.length === 0) return setProblem(t('plan.needOne'));
    if (total > 100) return setProblem(t('plan.over100'));
    try {
      await save({ variables: { input: { rentalId, items, notes } } });
      nav.back();
    } catch {
      // shown from saveState.error
    }
  };

  return (
    <Screen
      title={t('plan.title')}
      testID="plan-screen"
      onRefresh={() => Promise.all([crops.refetch(), rental.refetch()])}
    >
      {list.length === 0 ? <Empty text={t('plan.empty')} /> : null}
      {list.map((crop) => {
        const choice = choices[crop.id];
        const suggested = suggestSowDate(crop, from, endsOn);
        const defaultSow = suggested ?? from;
        const when = suggested
          ? suggested === from
            ? t('plan.sowNow')
            : t('plan.sowFrom', { date: f.date(suggested) })
          : t('plan.noTime');
        return (
          <Card key={crop.id} testID={`crop-${crop.id}`}>
            <View style={styles.between}>
              <Text style={[styles.strong, { flexShrink: 1 }]}>
                {crop.name} <Text style={styles.muted}>({crop.variety})</Text>
              </Text>
              <Text style={styles.muted}>{t('plan.days', { count: crop.daysToMaturity })}</Text>
            </View>
            <Text style={styles.muted}>
              {t('plan.details', { yield: f.number(crop.expectedYieldKgPerM2), spacing: crop.spacingCm, when })}
            </Text>
            <View style={[styles.row, { marginTop: space(2), alignItems: 'flex-start' }]}>
              <View style={{ flex: 1 }}>
                <Field
                  testID={suggested ? `share-${crop.id}` : undefined}
                  editable={!!suggested || !!choice}
                  label={t('plan.share')}
                  keyboardType="numeric"
                  value={choice?.percent ?? ''}
                  onChangeText={(percent) =>
                    setChoices((c) => ({
                      ...c,
                      [crop.id]: { sowOn: c[crop.id]?.sowOn ?? defaultSow, percent: percent.replace(/[^\d]/g, '') },
                    }))
                  }
                />
              </View>
              <View style={{ flex: 1 }}>
                <DateField
                  label={t('plan.sowOn')}
                  value={choice?.sowOn ?? defaultSow}
                  min={from}
                  max={endsOn}
                  onChange={(sowOn) =>
                    setChoices((c) => ({ ...c, [crop.id]: { percent: c[crop.id]?.percent ?? '', sowOn } }))
                  }
                />
              </View>
            </View>
          </Card>
        );
      })}
      <Field label={t('plan.notes')} value={notes} onChangeText={setNotes} multiline />
      <Text style={[styles.text, { color: total > 100 ? colors.danger : colors.text }]}>
        {t('plan.total', { percent: f.percent(total / 100) })}
      </Text>
      {problem ? <Text style={styles.errorText}>{problem}</Text> : null}
      {saveState.error ? <ErrorView error={saveState.error} /> : null}
      <Button
        testID="save-plan"
        title={saveState.loading ? t('common.saving') : t('plan.save')}
        disabled={saveState.loading}
        onPress={() => void submit()}
      />
    </Screen>
  );
}
